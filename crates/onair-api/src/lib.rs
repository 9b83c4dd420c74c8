//! The onair REST API: routers, auth, problem+json errors, OpenAPI, cache, coalescing and batching.
