//! The terminal as a chat: one command a line on stdin, progress on stdout as it happens.
//!
//! The subject is `shell:NAME`, where NAME is the login name of the OS user running the
//! process ([`who`]): the policy's `shell:` subjects mean the people who can log in to the bot
//! host as that user, nobody who merely types a name. `--as NAME` is for demos and tests and
//! works only where the config says `shell.impersonation = true`. It reads stdin, so it can
//! be scripted: `echo "status -c all" | opsbot shell --config opsbot.toml`.

use std::io::{IsTerminal, Write};
use std::sync::Mutex;

use async_trait::async_trait;
use tokio::io::{AsyncBufReadExt, BufReader, Lines, Stdin};

use commands::{Message, msg};

use crate::engine::{Caller, Engine, Event, Outcome, Reply};
use crate::i18n::Localizer;
use crate::render;

/// Why the shell will not start as anyone.
#[derive(Debug, PartialEq)]
pub enum Refusal {
    /// `--as` where the config does not allow impersonation.
    ImpersonationOff { name: String },
    /// `--as` with something that is not a shell user name.
    BadName { name: String },
    /// The OS has no usable passwd entry for the effective uid.
    NoLoginName { reason: String },
}

impl Refusal {
    /// The one sentence the user reads.
    pub fn message(&self) -> Message {
        match self {
            Refusal::ImpersonationOff { name } => {
                msg!("shell-impersonation-off", name = name.as_str())
            }
            Refusal::BadName { name } => msg!("shell-bad-name", name = name.as_str()),
            Refusal::NoLoginName { reason } => {
                msg!("shell-no-login-name", reason = reason.as_str())
            }
        }
    }

    /// 2 for bad usage (`--as` where it is not allowed), 1 for a host that cannot say who runs.
    pub fn exit_code(&self) -> u8 {
        match self {
            Refusal::ImpersonationOff { .. } | Refusal::BadName { .. } => 2,
            Refusal::NoLoginName { .. } => 1,
        }
    }
}

/// The NAME of `shell:NAME`: the claimed one where impersonation is on, else the OS's.
pub fn who(claimed: Option<&str>, impersonation: bool) -> Result<String, Refusal> {
    match claimed {
        Some(name) if !impersonation => Err(Refusal::ImpersonationOff {
            name: name.to_string(),
        }),
        Some(name) if commands::validate::dns1123_subdomain(name).is_err() => {
            Err(Refusal::BadName {
                name: name.to_string(),
            })
        }
        Some(name) => Ok(name.to_string()),
        None => login_name(),
    }
}

/// The login name of the effective uid, from the passwd database (`getpwuid_r`, through
/// `whoami`, which the tree already has and which never reads `$USER`: whoever starts a
/// process sets its environment, not its uid). No entry, or a name that cannot be a subject,
/// refuses rather than guessing.
fn login_name() -> Result<String, Refusal> {
    let name = whoami::username().map_err(|e| Refusal::NoLoginName {
        reason: e.to_string(),
    })?;
    if is_login_name(&name) {
        Ok(name)
    } else {
        Err(Refusal::NoLoginName {
            reason: format!("{name:?} cannot be a subject"),
        })
    }
}

/// POSIX's portable user names: letters, digits, `.`, `_`, `-`, not starting with `-`.
fn is_login_name(name: &str) -> bool {
    !name.is_empty()
        && !name.starts_with('-')
        && name
            .chars()
            .all(|ch| ch.is_ascii_alphanumeric() || matches!(ch, '.' | '_' | '-'))
}

/// Prints events as they come; remembers the step plans to label progress lines.
struct Terminal {
    l10n: Localizer,
    steps: Mutex<Vec<String>>,
    /// Commands and prompted secrets come from the same input, one line each.
    input: tokio::sync::Mutex<Lines<BufReader<Stdin>>>,
    interactive: bool,
}

#[async_trait]
impl commands::Prompt for Terminal {
    /// At a terminal the answer is typed without echo; from a pipe it is the next line. It
    /// is handed to the step and never printed or kept.
    async fn secret(&self, question: &commands::Message) -> Option<commands::Secret> {
        let question = format!("🔒 {}: ", self.l10n.text(question));
        if self.interactive {
            let answer = tokio::task::spawn_blocking(move || rpassword::prompt_password(question))
                .await
                .ok()?
                .ok()?;
            return (!answer.trim().is_empty()).then(|| commands::Secret::new(answer.trim()));
        }
        self.print(&question);
        self.print("\n");
        let line = self.input.lock().await.next_line().await.ok()??;
        (!line.trim().is_empty()).then(|| commands::Secret::new(line.trim()))
    }
}

impl Terminal {
    fn print(&self, text: &str) {
        let mut out = std::io::stdout().lock();
        // A closed pipe (`| head`) is not an error worth reporting mid-run.
        let _ = out.write_all(text.as_bytes());
        let _ = out.flush();
    }

    fn step_label(&self, index: usize) -> String {
        let steps = self.steps.lock().map(|s| s.clone()).unwrap_or_default();
        format!("[{}/{}]", index + 1, steps.len())
    }
}

impl Reply for Terminal {
    fn prompt(&self) -> Option<&dyn commands::Prompt> {
        Some(self)
    }

    fn send(&self, event: Event) {
        let l = &self.l10n;
        let text = match event {
            Event::Rejected(m) | Event::Denied(m) => format!("✗ {}\n", l.text(&m)),
            Event::Notice(m) => format!("• {}\n", l.text(&m)),
            Event::Help(report) => render::report(l, &report),
            Event::Approval(card) => render::approval_card(l, &card),
            Event::Started {
                request_id,
                operation,
                clusters,
                places,
                steps,
            } => {
                let plans: Vec<String> = steps.iter().map(|m| l.text(m)).collect();
                let started = if clusters.is_empty() {
                    commands::msg!(
                        "run-started-global",
                        operation = operation,
                        request = request_id
                    )
                } else {
                    commands::msg!(
                        "run-started",
                        operation = operation,
                        clusters = clusters.join(", "),
                        request = request_id
                    )
                };
                let mut text = format!("▶ {}\n  {}\n", l.text(&started), l.text(&places));
                for (i, plan) in plans.iter().enumerate() {
                    text.push_str(&format!("  {}/{} {plan}\n", i + 1, plans.len()));
                }
                if let Ok(mut s) = self.steps.lock() {
                    *s = plans;
                }
                text
            }
            Event::StepStarted { index } => {
                let plan = self
                    .steps
                    .lock()
                    .ok()
                    .and_then(|s| s.get(index).cloned())
                    .unwrap_or_default();
                format!("  {} {plan}\n", self.step_label(index))
            }
            Event::StepProgress { index, message } => {
                format!("  {}   {}\n", self.step_label(index), l.text(&message))
            }
            Event::StepFinished {
                index,
                elapsed,
                error,
            } => match error {
                None => format!(
                    "  {} ✓ {}\n",
                    self.step_label(index),
                    l.text(&commands::msg!(
                        "run-step-done",
                        seconds = format!("{:.1}", elapsed.as_secs_f64())
                    ))
                ),
                Some(m) => format!("  {} ✗ {}\n", self.step_label(index), l.text(&m)),
            },
            Event::Finished {
                request_id,
                outcome,
                elapsed,
                report,
                error,
            } => {
                let mut text = render::report(l, &report);
                let seconds = format!("{:.1}", elapsed.as_secs_f64());
                let summary = match (outcome, error) {
                    (Outcome::Succeeded, _) => {
                        commands::msg!("run-succeeded", seconds = seconds, request = request_id)
                    }
                    (_, error) => commands::msg!(
                        "run-failed",
                        seconds = seconds,
                        request = request_id,
                        reason = error.map(|m| l.text(&m)).unwrap_or_default()
                    ),
                };
                let mark = if outcome == Outcome::Succeeded {
                    "✓"
                } else {
                    "✗"
                };
                text.push_str(&format!("{mark} {}\n", l.text(&summary)));
                text
            }
        };
        self.print(&text);
    }
}

/// Runs the shell until end of input. Returns whether every command succeeded.
pub async fn run(engine: &Engine, name: &str) -> anyhow::Result<bool> {
    let l10n = Localizer::new(engine.config().locale);
    let caller = Caller {
        subject: format!("shell:{name}"),
        groups: Vec::new(),
    };
    let interactive = std::io::stdin().is_terminal();
    let terminal = Terminal {
        l10n,
        steps: Mutex::new(Vec::new()),
        input: tokio::sync::Mutex::new(BufReader::new(tokio::io::stdin()).lines()),
        interactive,
    };
    let mut all_ok = true;
    loop {
        if interactive {
            terminal.print("opsbot> ");
        }
        let next = terminal.input.lock().await.next_line().await?;
        let Some(line) = next else { break };
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        if line == "exit" || line == "quit" {
            break;
        }
        let outcome = engine.handle(&caller, line, &terminal).await;
        all_ok &= outcome == Outcome::Succeeded;
    }
    Ok(all_ok)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Issue 11 (the terminal is a self-declared identity): `--as` is refused unless the
    /// configuration allows impersonation.
    #[test]
    fn as_needs_impersonation_to_be_on() {
        assert_eq!(
            who(Some("bob"), false),
            Err(Refusal::ImpersonationOff { name: "bob".into() })
        );
        assert_eq!(who(Some("bob"), true), Ok("bob".to_string()));
        assert!(matches!(
            who(Some("Bob Smith"), true),
            Err(Refusal::BadName { .. })
        ));
    }

    #[test]
    fn without_as_the_name_is_the_os_users() {
        let name = who(None, true).expect("this test runs as a user with a passwd entry");
        assert!(is_login_name(&name));
        // Whatever the environment claims.
        assert_eq!(who(None, false), Ok(name));
    }

    #[test]
    fn login_names_are_posix_portable() {
        for good in ["root", "svc_ops", "jane.doe", "a-1"] {
            assert!(is_login_name(good), "{good}");
        }
        for bad in ["", "-x", "a b", "a:b", "é"] {
            assert!(!is_login_name(bad), "{bad}");
        }
    }
}
