//! The OpenAPI 3.1 document, generated from the handlers' annotations and kept with them
//! (`utoipa-axum` routes). The snapshot test in `tests/openapi.rs` makes every contract
//! change a reviewed diff.

use utoipa::{
    OpenApi,
    openapi::{
        self, ContentBuilder, HeaderBuilder, HttpMethod, RefOr, ResponseBuilder,
        path::{Operation, ParameterBuilder, ParameterIn},
        schema::{ObjectBuilder, Type},
        security::{Http, HttpAuthScheme, SecurityRequirement, SecurityScheme},
    },
};

use crate::error::{FieldError, Problem};

#[derive(OpenApi)]
#[openapi(
    info(
        title = "onair",
        description = "One REST API over the live-audio networks (X Spaces first).\n\n\
Authenticate with `Authorization: Bearer <API key>` (keys look like `onair_sk_…`). Add \
`Profile-Key: <key>` to act for one of your end-user profiles. Errors are RFC 9457 \
`application/problem+json` documents with a stable `code` and the `request_id`. Ids are \
qualified `network:native_id` (`x:1DXxyRYNejbKM`); `twitter` is accepted for `x`.",
        license(name = "Apache-2.0", identifier = "Apache-2.0"),
    ),
    components(schemas(Problem, FieldError)),
    tags(
        (name = "spaces", description = "Look up, list and search live-audio rooms"),
        (name = "networks", description = "The networks, their status, and your own upstream credentials"),
        (name = "api-keys", description = "Your tenant's API keys"),
        (name = "profiles", description = "Your end users' profiles, Profile-Keys and link tokens"),
        (name = "health", description = "Liveness and readiness"),
    ),
)]
pub struct ApiDoc;

/// Adds what every `/v1` operation shares: bearer authentication, the optional
/// `Profile-Key` header, the rate-limit answer and the problem for any other error. Applied
/// to the assembled document, once the routes have contributed their paths.
pub fn apply_v1_conventions(doc: &mut openapi::OpenApi) {
    let components = doc.components.get_or_insert_with(Default::default);
    components.add_security_scheme(
        "api_key",
        SecurityScheme::Http(
            Http::builder()
                .scheme(HttpAuthScheme::Bearer)
                .bearer_format("onair_sk_…")
                .build(),
        ),
    );
    for (path, item) in doc.paths.paths.iter_mut() {
        if !path.starts_with("/v1/") {
            continue;
        }
        for method in [
            HttpMethod::Get,
            HttpMethod::Post,
            HttpMethod::Put,
            HttpMethod::Delete,
        ] {
            let op: Option<&mut Operation> = match method {
                HttpMethod::Get => item.get.as_mut(),
                HttpMethod::Post => item.post.as_mut(),
                HttpMethod::Put => item.put.as_mut(),
                HttpMethod::Delete => item.delete.as_mut(),
                _ => None,
            };
            if let Some(op) = op {
                conventions(op);
            }
        }
    }
}

fn problem(description: &str) -> RefOr<openapi::Response> {
    ResponseBuilder::new()
        .description(description)
        .content(
            "application/problem+json",
            ContentBuilder::new()
                .schema(Some(openapi::Ref::from_schema_name("Problem")))
                .build(),
        )
        .build()
        .into()
}

fn conventions(op: &mut Operation) {
    op.security = Some(vec![SecurityRequirement::new(
        "api_key",
        Vec::<String>::new(),
    )]);
    let profile_key = ParameterBuilder::new()
        .name("Profile-Key")
        .parameter_in(ParameterIn::Header)
        .required(openapi::Required::False)
        .description(Some("Act for one of your profiles (`onair_pk_…`)"))
        .schema(Some(ObjectBuilder::new().schema_type(Type::String)))
        .build();
    op.parameters
        .get_or_insert_with(Vec::new)
        .push(profile_key.into());
    let responses = &mut op.responses.responses;
    responses.entry("401".into()).or_insert_with(|| {
        problem("Missing, malformed, unknown or revoked API key (or Profile-Key)")
    });
    responses
        .entry("429".into())
        .or_insert_with(|| problem("Your tenant's rate limit is spent; see `Retry-After`"));
    // Every authenticated answer carries the tenant's rate-limit state; a 429 also says
    // when to come back.
    for (status, response) in responses.iter_mut() {
        let RefOr::T(response) = response else {
            continue;
        };
        if status.starts_with('2') || status == "429" {
            for (name, description) in RATE_LIMIT_HEADERS {
                response
                    .headers
                    .insert((*name).to_owned(), integer_header(description));
            }
        }
        if status == "429" {
            response.headers.insert(
                "Retry-After".to_owned(),
                integer_header("Seconds until a request may succeed"),
            );
        }
    }
    responses
        .entry("default".into())
        .or_insert_with(|| problem("Any other error, as a problem document"));
}

const RATE_LIMIT_HEADERS: &[(&str, &str)] = &[
    (
        "RateLimit-Limit",
        "Requests your tenant may send in a burst; the allowance refills at the configured rate per minute",
    ),
    ("RateLimit-Remaining", "Requests of the burst left now"),
    (
        "RateLimit-Reset",
        "Seconds until the whole burst is available again",
    ),
];

fn integer_header(description: &str) -> RefOr<openapi::Header> {
    HeaderBuilder::new()
        .schema(Some(
            ObjectBuilder::new()
                .schema_type(Type::Integer)
                .minimum(Some(0)),
        ))
        .description(Some(description))
        .build()
        .into()
}
