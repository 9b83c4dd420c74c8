//! Forged link tokens against the real server: `GET /link?token=…` and the form's
//! `POST /link` refuse every forgery with a 401 problem, and accept a genuine token.
//! Tokens are signed here with the key the server derives from its `ONAIR_SECRET_KEY`.

use base64::{Engine as _, engine::general_purpose::URL_SAFE_NO_PAD};
use chrono::Utc;
use hmac::{Hmac, KeyInit, Mac};
use onair_store::secrets::Keyring;
use reqwest::Method;
use secrecy::SecretString;
use serde_json::{Value, json};

use crate::support::{BACKENDS, SECRET_KEY, Server, problem};

fn b64(v: &Value) -> String {
    URL_SAFE_NO_PAD.encode(v.to_string())
}

fn sign256(input: &str, key: &[u8]) -> String {
    let mut mac = Hmac::<sha2::Sha256>::new_from_slice(key).unwrap();
    mac.update(input.as_bytes());
    URL_SAFE_NO_PAD.encode(mac.finalize().into_bytes())
}

fn sign512(input: &str, key: &[u8]) -> String {
    let mut mac = Hmac::<sha2::Sha512>::new_from_slice(key).unwrap();
    mac.update(input.as_bytes());
    URL_SAFE_NO_PAD.encode(mac.finalize().into_bytes())
}

fn hs256(header: &Value, claims: &Value, key: &[u8]) -> String {
    let input = format!("{}.{}", b64(header), b64(claims));
    let sig = sign256(&input, key);
    format!("{input}.{sig}")
}

fn keyring(secret: &str) -> Keyring {
    Keyring::new(&SecretString::from(secret.to_owned()), &[]).unwrap()
}

async fn open(server: &Server, token: &str) -> reqwest::Response {
    let query = url::form_urlencoded::Serializer::new(String::new())
        .append_pair("token", token)
        .finish();
    server
        .anonymous(Method::GET, &format!("/link?{query}"))
        .send()
        .await
        .unwrap()
}

async fn submit(server: &Server, token: &str) -> reqwest::Response {
    let body = url::form_urlencoded::Serializer::new(String::new())
        .append_pair("token", token)
        .append_pair("network", "x")
        .append_pair("credential", "AAAAAAAAAAAAAAAAAAAAAforged-form-credential")
        .finish();
    server
        .anonymous(Method::POST, "/link")
        .header("content-type", "application/x-www-form-urlencoded")
        .body(body)
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn forged_link_tokens_are_refused() {
    let ours = keyring(SECRET_KEY);
    let (kid, key) = ours.signing_key();
    let kid = kid.as_str().to_owned();
    let theirs = keyring("some-other-deployment-secret-key-0123456789");
    for backend in BACKENDS {
        let Some(server) = Server::start(backend, None).await else {
            continue;
        };
        let a = server.tenant("acme");
        let b = server.tenant("globex");
        let pa = server.profile(&a.key, "a-customer").await;
        let later = Utc::now().timestamp() + 300;
        let claims = |f: &dyn Fn(&mut Value)| {
            let mut c = json!({"iss": server.base, "aud": "onair-link", "sub": pa.id, "tid": a.id,
                "iat": Utc::now().timestamp(), "exp": later, "jti": "e2e"});
            f(&mut c);
            c
        };
        let hs = json!({"alg": "HS256", "typ": "JWT", "kid": kid});

        // Controls: a token signed here like the server signs, and one the server issued.
        let forged_ok = hs256(&hs, &claims(&|_| {}), key);
        let r = open(&server, &forged_ok).await;
        assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
        let issued = crate::support::json(
            server
                .post(&format!("/v1/profiles/{}/link-token", pa.id), &a.key)
                .send()
                .await
                .unwrap(),
            201,
        )
        .await;
        let genuine = issued["data"]["token"].as_str().unwrap().to_owned();
        assert_eq!(open(&server, &genuine).await.status(), 200);

        let parts: Vec<&str> = genuine.split('.').collect();
        let mut payload: Value =
            serde_json::from_slice(&URL_SAFE_NO_PAD.decode(parts[1]).unwrap()).unwrap();
        payload["sub"] = json!(server.profile(&a.key, "another").await.id);
        let tampered_payload = format!("{}.{}.{}", parts[0], b64(&payload), parts[2]);
        let mut sig = URL_SAFE_NO_PAD.decode(parts[2]).unwrap();
        sig[0] ^= 1;
        let tampered_sig = format!("{}.{}.{}", parts[0], parts[1], URL_SAFE_NO_PAD.encode(sig));
        let hs512 = {
            let header = json!({"alg": "HS512", "kid": kid});
            let input = format!("{}.{}", b64(&header), b64(&claims(&|_| {})));
            format!("{input}.{}", sign512(&input, key))
        };

        let cases: Vec<(&str, String, &str)> = vec![
            (
                "alg none",
                format!(
                    "{}.{}.",
                    b64(&json!({"alg": "none", "kid": kid})),
                    b64(&claims(&|_| {}))
                ),
                "invalid_link_token",
            ),
            (
                "alg none, signature kept",
                format!(
                    "{}.{}.{}",
                    b64(&json!({"alg": "none", "typ": "JWT", "kid": kid})),
                    parts[1],
                    parts[2]
                ),
                "invalid_link_token",
            ),
            ("alg HS512", hs512, "invalid_link_token"),
            (
                "alg RS256",
                hs256(&json!({"alg": "RS256", "kid": kid}), &claims(&|_| {}), key),
                "invalid_link_token",
            ),
            (
                "wrong key",
                hs256(&hs, &claims(&|_| {}), theirs.signing_key().1),
                "invalid_link_token",
            ),
            (
                "another deployment's kid and key",
                hs256(
                    &json!({"alg": "HS256", "kid": theirs.signing_key().0.as_str()}),
                    &claims(&|_| {}),
                    theirs.signing_key().1,
                ),
                "invalid_link_token",
            ),
            (
                "wrong aud",
                hs256(&hs, &claims(&|c| c["aud"] = json!("onair-dashboard")), key),
                "invalid_link_token",
            ),
            (
                "no aud",
                hs256(
                    &hs,
                    &claims(&|c| {
                        c.as_object_mut().unwrap().remove("aud");
                    }),
                    key,
                ),
                "invalid_link_token",
            ),
            (
                "wrong iss",
                hs256(
                    &hs,
                    &claims(&|c| c["iss"] = json!("https://evil.example")),
                    key,
                ),
                "invalid_link_token",
            ),
            (
                "expired",
                hs256(
                    &hs,
                    &claims(&|c| c["exp"] = json!(Utc::now().timestamp() - 120)),
                    key,
                ),
                "link_token_expired",
            ),
            (
                "string exp",
                hs256(&hs, &claims(&|c| c["exp"] = json!(later.to_string())), key),
                "invalid_link_token",
            ),
            (
                "no exp",
                hs256(
                    &hs,
                    &claims(&|c| {
                        c.as_object_mut().unwrap().remove("exp");
                    }),
                    key,
                ),
                "invalid_link_token",
            ),
            (
                "no kid",
                hs256(
                    &json!({"alg": "HS256", "typ": "JWT"}),
                    &claims(&|_| {}),
                    key,
                ),
                "invalid_link_token",
            ),
            (
                "unknown kid",
                hs256(
                    &json!({"alg": "HS256", "kid": "k_unknown"}),
                    &claims(&|_| {}),
                    key,
                ),
                "invalid_link_token",
            ),
            ("tampered payload", tampered_payload, "invalid_link_token"),
            ("tampered signature", tampered_sig, "invalid_link_token"),
            (
                "truncated",
                genuine[..genuine.len() - 10].to_owned(),
                "invalid_link_token",
            ),
            (
                "two parts",
                format!("{}.{}", parts[0], parts[1]),
                "invalid_link_token",
            ),
            ("not base64", "%%%.@@@.!!!".to_owned(), "invalid_link_token"),
            ("empty", String::new(), "invalid_link_token"),
            // Signed with the right key, but naming another tenant's profile, or none.
            (
                "another tenant",
                hs256(&hs, &claims(&|c| c["tid"] = json!(b.id)), key),
                "invalid_link_token",
            ),
            (
                "malformed sub",
                hs256(&hs, &claims(&|c| c["sub"] = json!("../../etc")), key),
                "invalid_link_token",
            ),
            (
                "sub not a string",
                hs256(&hs, &claims(&|c| c["sub"] = json!(42)), key),
                "invalid_link_token",
            ),
        ];
        for (what, token, code) in &cases {
            let body = problem(open(&server, token).await, 401, code).await;
            let detail = body["detail"].as_str().unwrap();
            assert!(!detail.is_empty(), "{what}");
            // Plain words for whoever holds the link, not the JWT library's names.
            for internal in ["InvalidToken", "InvalidSignature", "variant", "JSON error"] {
                assert!(!detail.contains(internal), "{what}: {detail}");
            }
            problem(submit(&server, token).await, 401, code).await;
        }

        // A browser gets the same refusal as a page, with the same status.
        let in_browser = server
            .anonymous(Method::GET, "/link?token=not-a-token")
            .header("accept", "text/html,application/xhtml+xml")
            .send()
            .await
            .unwrap();
        assert_eq!(in_browser.status(), 401);
        assert!(
            in_browser.headers()["content-type"]
                .to_str()
                .unwrap()
                .starts_with("text/html")
        );
        let page = in_browser.text().await.unwrap();
        assert!(
            page.contains("Invalid link token") && page.contains("not a JWT"),
            "{page}"
        );

        // An overlong credential is refused for its length, not its characters.
        let long = url::form_urlencoded::Serializer::new(String::new())
            .append_pair("token", &genuine)
            .append_pair("network", "x")
            .append_pair("credential", &"A".repeat(5000))
            .finish();
        let r = server
            .anonymous(Method::POST, "/link")
            .header("content-type", "application/x-www-form-urlencoded")
            .body(long)
            .send()
            .await
            .unwrap();
        let body = problem(r, 400, "invalid_body").await;
        assert!(body["detail"].as_str().unwrap().contains("4096"), "{body}");
        // None of the forged submissions stored anything on the profile.
        let stored = server
            .get("/v1/networks/x/credentials", &a.key)
            .header("Profile-Key", &pa.key)
            .send()
            .await
            .unwrap();
        problem(stored, 404, "not_found").await;
        // The genuine token still opens the page afterwards.
        assert_eq!(open(&server, &genuine).await.status(), 200);
        server.assert_healthy().await;
    }
}
