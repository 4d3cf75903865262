//! A browser-like client for the page tests: no redirects followed, cookies carried by hand, the
//! CSRF token read from the cookie.

use crate::harness::{PASSWORD, TestApp};
use reqwest::StatusCode;
use reqwest::header::{HeaderMap, SET_COOKIE};

pub(crate) fn cookies(h: &HeaderMap) -> Vec<String> {
    h.get_all(SET_COOKIE).iter().filter_map(|v| v.to_str().ok()).map(|s| s.to_string()).collect()
}

pub(crate) fn cookie_pair(set: &[String], name: &str) -> Option<String> {
    set.iter().find(|c| c.starts_with(&format!("{name}="))).map(|c| c.split(';').next().unwrap().to_string())
}

/// A browser-like client: no redirects followed, cookies carried by hand.
pub(crate) struct Browser {
    pub http: reqwest::Client,
    pub base: String,
    pub jar: Vec<String>,
}

impl Browser {
    pub fn new(app: &TestApp) -> Self {
        Self {
            http: reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap(),
            base: app.base.clone(),
            jar: Vec::new(),
        }
    }

    fn keep(&mut self, h: &HeaderMap) {
        for c in cookies(h) {
            let pair = c.split(';').next().unwrap().to_string();
            let name = pair.split('=').next().unwrap().to_string();
            self.jar.retain(|p| !p.starts_with(&format!("{name}=")));
            if !pair.ends_with('=') {
                self.jar.push(pair);
            }
        }
    }

    pub async fn get(&mut self, path: &str) -> (StatusCode, HeaderMap, String) {
        let res =
            self.http.get(format!("{}{path}", self.base)).header("cookie", self.jar.join("; ")).send().await.unwrap();
        let (s, h) = (res.status(), res.headers().clone());
        self.keep(&h);
        (s, h, res.text().await.unwrap())
    }

    pub async fn post(&mut self, path: &str, form: &[(&str, &str)]) -> (StatusCode, HeaderMap, String) {
        let res = self
            .http
            .post(format!("{}{path}", self.base))
            .header("cookie", self.jar.join("; "))
            .form(form)
            .send()
            .await
            .unwrap();
        let (s, h) = (res.status(), res.headers().clone());
        self.keep(&h);
        (s, h, res.text().await.unwrap())
    }

    /// Posts a multipart form: the CSRF token and one file.
    pub async fn upload(&mut self, path: &str, name: &str, bytes: Vec<u8>) -> (StatusCode, HeaderMap, String) {
        let form = reqwest::multipart::Form::new()
            .text("_csrf", self.csrf())
            .part("file", reqwest::multipart::Part::bytes(bytes).file_name(name.to_string()));
        let res = self
            .http
            .post(format!("{}{path}", self.base))
            .header("cookie", self.jar.join("; "))
            .multipart(form)
            .send()
            .await
            .unwrap();
        let (s, h) = (res.status(), res.headers().clone());
        self.keep(&h);
        (s, h, res.text().await.unwrap())
    }

    pub fn csrf(&self) -> String {
        self.jar.iter().find_map(|p| p.strip_prefix("xiaobao_csrf=")).unwrap().to_string()
    }

    pub async fn login(&mut self, user: &str) {
        self.get("/login").await;
        let csrf = self.csrf();
        let (status, h, _) = self.post("/login", &[("username", user), ("password", PASSWORD), ("_csrf", &csrf)]).await;
        assert_eq!(status, StatusCode::SEE_OTHER, "login {user}");
        assert_eq!(h["location"], "/");
    }
}
