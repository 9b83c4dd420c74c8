//! A client that sends the same `GET` again and again over one keep-alive connection, one
//! request at a time, and reads each response whole: the load for counting a server's
//! instructions per request, where nothing but the requests themselves may vary.

use std::net::SocketAddr;

use anyhow::{Context, bail, ensure};
use tokio::{
    io::{AsyncReadExt, AsyncWriteExt},
    net::TcpStream,
};

/// One open connection and the request it repeats.
#[derive(Debug)]
pub struct KeepAlive {
    stream: TcpStream,
    request: Vec<u8>,
    buf: Vec<u8>,
}

/// What one response was.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Answer {
    pub status: u16,
    pub body_len: usize,
}

impl KeepAlive {
    /// Connects to `addr` and prepares `GET path` with `Authorization: Bearer token`.
    pub async fn connect(addr: SocketAddr, path: &str, token: &str) -> anyhow::Result<Self> {
        let stream = TcpStream::connect(addr)
            .await
            .with_context(|| format!("connecting to {addr}"))?;
        stream.set_nodelay(true)?;
        let request =
            format!("GET {path} HTTP/1.1\r\nHost: {addr}\r\nAuthorization: Bearer {token}\r\n\r\n")
                .into_bytes();
        Ok(Self {
            stream,
            request,
            buf: Vec::with_capacity(16 * 1024),
        })
    }

    /// Sends the request once and reads its response.
    pub async fn get(&mut self) -> anyhow::Result<Answer> {
        self.stream.write_all(&self.request).await?;
        self.buf.clear();
        let (status, head_len, body_len) = loop {
            self.fill().await?;
            let mut headers = [httparse::EMPTY_HEADER; 64];
            let mut response = httparse::Response::new(&mut headers);
            match response.parse(&self.buf).context("an HTTP/1.1 response")? {
                httparse::Status::Partial => continue,
                httparse::Status::Complete(head_len) => {
                    let status = response.code.context("no status")?;
                    let mut length = None;
                    for header in response.headers.iter() {
                        if header.name.eq_ignore_ascii_case("transfer-encoding") {
                            bail!("the response is not sized (transfer-encoding)");
                        }
                        if header.name.eq_ignore_ascii_case("content-length") {
                            let text = std::str::from_utf8(header.value)?;
                            length = Some(text.trim().parse::<usize>()?);
                        }
                    }
                    break (status, head_len, length.context("no content-length")?);
                }
            }
        };
        while self.buf.len() < head_len + body_len {
            self.fill().await?;
        }
        ensure!(
            self.buf.len() == head_len + body_len,
            "the server sent more than one response"
        );
        Ok(Answer { status, body_len })
    }

    /// Sends the request `n` times; every answer must have `status` and be `body_len` long.
    pub async fn repeat(&mut self, n: usize, expected: Answer) -> anyhow::Result<()> {
        for i in 0..n {
            let answer = self.get().await?;
            ensure!(
                answer == expected,
                "request {i}: {answer:?}, expected {expected:?}"
            );
        }
        Ok(())
    }

    async fn fill(&mut self) -> anyhow::Result<()> {
        self.buf.reserve(8192);
        let read = self.stream.read_buf(&mut self.buf).await?;
        ensure!(read > 0, "the server closed the connection");
        Ok(())
    }
}
