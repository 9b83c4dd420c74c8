//! Fixtures shared by the backends' conformance tests.
