//! The catalogue of problem codes, served at `/problems/{code}` so that every problem's
//! `type` URI resolves to an explanation. The codes and their meanings are
//! [`onair_core::ProblemCode`]'s; every problem the API raises carries one, so none can be
//! missing here.

use onair_core::ProblemCode;

pub fn describe(code: &str) -> Option<&'static str> {
    code.parse::<ProblemCode>()
        .ok()
        .map(ProblemCode::description)
}
