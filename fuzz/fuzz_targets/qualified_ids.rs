//! Qualified ids (`network:id`) and network names, as clients write them in paths and
//! query strings, resolved against the registry of every real network.
#![no_main]

use std::sync::{Arc, LazyLock};

use arbitrary::Arbitrary;
use libfuzzer_sys::fuzz_target;
use onair_core::{IdError, NetworkId, ProviderRegistry, RawQualifiedId};

static REGISTRY: LazyLock<ProviderRegistry> = LazyLock::new(|| {
    let mut registry = ProviderRegistry::new();
    let x = onair_provider_x::XProvider::new(onair_provider_x::XConfig::default())
        .expect("the default X configuration is valid");
    registry.register(Arc::new(x)).unwrap();
    registry
        .register(Arc::new(onair_provider_sandbox::SandboxProvider::new()))
        .unwrap();
    for stub in onair_provider_stubs::all() {
        registry.register(stub).unwrap();
    }
    registry
});

#[derive(Arbitrary, Debug)]
struct Input<'a> {
    /// A whole id, as in `?ids=`.
    whole: &'a str,
    /// A network and a native id given apart, as in `/v1/spaces/{network}/{id}`.
    network: Network<'a>,
    native: &'a str,
}

#[derive(Arbitrary, Debug)]
enum Network<'a> {
    Known(u8),
    Any(&'a str),
}

/// onair-core's longest native id (not exported).
const MAX_NATIVE_LEN: usize = 128;

const NAMES: &[&str] = &[
    "x",
    "X",
    "twitter",
    "TWITTER",
    "sandbox",
    "clubhouse",
    "facebook",
    "Sandbox",
];

fn assert_printable(e: &IdError) {
    let text = e.to_string();
    assert!(
        !text.chars().any(char::is_control),
        "an id error echoes a control character: {text:?}"
    );
}

fn check_raw(input: &str) {
    match RawQualifiedId::parse(input) {
        Ok(raw) => {
            assert_eq!(format!("{}:{}", raw.network, raw.native), input);
            assert!(!raw.network.is_empty() && !raw.native.is_empty());
            assert!(!raw.network.contains(':'), "split after the first colon");
            assert!(raw.native.len() <= MAX_NATIVE_LEN);
        }
        Err(e) => assert_printable(&e),
    }
}

fn check_network_id(input: &str) {
    if let Ok(id) = input.parse::<NetworkId>() {
        assert_eq!(id.as_str(), input.to_ascii_lowercase());
        assert!(id.as_str().len() <= NetworkId::MAX_LEN);
        assert_eq!(id.as_str().parse::<NetworkId>().as_ref(), Ok(&id));
        let json = serde_json::to_string(&id).unwrap();
        assert_eq!(serde_json::from_str::<NetworkId>(&json).unwrap(), id);
    }
}

fn check_resolved(input: &str, resolved: &Result<onair_core::ResolvedId, IdError>, user: bool) {
    match resolved {
        Ok(r) => {
            // The id is canonical: it names its provider's own network and resolves to itself.
            assert_eq!(r.id.network(), r.provider.id());
            let text = r.id.to_string();
            let again = if user {
                REGISTRY.resolve_user_id(&text)
            } else {
                REGISTRY.resolve_space_id(&text)
            };
            assert_eq!(again.map(|a| a.id).as_ref(), Ok(&r.id), "{input:?}");
            let verdict = if user {
                r.provider.validate_user_id(r.id.native())
            } else {
                r.provider.validate_space_id(r.id.native())
            };
            assert_eq!(verdict, Ok(()));
        }
        Err(e) => assert_printable(e),
    }
}

fuzz_target!(|input: Input<'_>| {
    check_raw(input.whole);
    check_network_id(input.whole);
    let space = REGISTRY.resolve_space_id(input.whole);
    check_resolved(input.whole, &space, false);
    let user = REGISTRY.resolve_user_id(input.whole);
    check_resolved(input.whole, &user, true);

    let network = match input.network {
        Network::Known(i) => NAMES[usize::from(i) % NAMES.len()],
        Network::Any(s) => s,
    };
    check_network_id(network);
    let parts = REGISTRY.resolve_space_parts(network, input.native);
    if let Err(e) = &parts {
        assert_printable(e);
    }
    // A path's two parts mean what the same id written whole means.
    let whole = format!("{network}:{}", input.native);
    if !network.is_empty()
        && !network.contains(':')
        && whole.len() <= MAX_NATIVE_LEN + NetworkId::MAX_LEN + 1
    {
        let joined = REGISTRY.resolve_space_id(&whole);
        check_resolved(&whole, &joined, false);
        assert_eq!(
            parts.as_ref().ok().map(|r| &r.id),
            joined.as_ref().ok().map(|r| &r.id),
            "{network:?} / {:?}",
            input.native
        );
    }
});
