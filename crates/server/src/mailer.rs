//! Sends the e-mail outbox through an SMTP server: notifications write their mail in the same
//! transaction, so nothing is lost; a message is marked sent once the server accepted it.

use crate::app::AppState;
use lettre::message::{Mailbox, header::ContentType};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use std::time::Duration;
use xiaobao_core::time::Instant;
use xiaobao_store::StoreError;

/// Where to send mail: `smtp://host:port` (plain, for a relay inside the bank's network) and the sender.
#[derive(Debug, Clone)]
pub struct SmtpConfig {
    pub host: String,
    pub port: u16,
    pub from: Mailbox,
}

impl SmtpConfig {
    /// Parses `smtp://host[:port]` (port 25 by default) and the sender address.
    pub fn parse(url: &str, from: &str) -> Result<Self, String> {
        let rest = url.strip_prefix("smtp://").ok_or("the SMTP URL must start with smtp://")?;
        let (host, port) = match rest.rsplit_once(':') {
            Some((h, p)) => (h.to_string(), p.parse::<u16>().map_err(|_| "the SMTP port must be a number")?),
            None => (rest.to_string(), 25),
        };
        if host.is_empty() {
            return Err("the SMTP URL names no host".into());
        }
        let from = from.parse::<Mailbox>().map_err(|e| format!("sender address: {e}"))?;
        Ok(Self { host, port, from })
    }
}

/// Sends the mail that may go at `now`; returns how many were accepted.
pub async fn send_due(state: &AppState, smtp: &SmtpConfig, now: Instant) -> Result<usize, StoreError> {
    let mail = state.store.mail_to_send(now, 100).await?;
    if mail.is_empty() {
        return Ok(0);
    }
    let transport = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(&smtp.host)
        .port(smtp.port)
        .timeout(Some(Duration::from_secs(20)))
        .build();
    let mut sent = 0;
    for m in mail {
        let (subject, body) =
            if m.subject.is_empty() { crate::i18n::alert_mail(&m.notice) } else { (m.subject.clone(), m.body.clone()) };
        let message = m.to.parse::<Mailbox>().map_err(|e| e.to_string()).and_then(|to| {
            Message::builder()
                .from(smtp.from.clone())
                .to(to)
                .subject(subject.clone())
                .header(ContentType::TEXT_PLAIN)
                .body(body.clone())
                .map_err(|e| e.to_string())
        });
        let result = match message {
            Ok(msg) => transport.send(msg).await.map(|_| ()).map_err(|e| e.to_string()),
            Err(e) => Err(e),
        };
        match result {
            Ok(()) => {
                state.store.mail_sent(m.id, now).await?;
                sent += 1;
            }
            Err(e) => {
                tracing::warn!(to = %m.to, error = %e, "sending a notification mail failed");
                state.store.mail_failed(m.id, &e).await?;
            }
        }
    }
    Ok(sent)
}

/// Sends the outbox every `every` until the process ends.
pub fn spawn(state: AppState, smtp: SmtpConfig, every: Duration) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        loop {
            if let Err(e) = send_due(&state, &smtp, state.clock.now()).await {
                tracing::error!(error = %e, "mail outbox pass failed");
            }
            tokio::time::sleep(every).await;
        }
    })
}
