//! The terminal as a chat: one command a line on stdin, progress on stdout as it happens.
//!
//! The subject is `shell:NAME`. It reads stdin, so it can be scripted:
//! `echo "status -c all" | opsbot shell --config opsbot.toml --as alice`.

use std::io::{IsTerminal, Write};
use std::sync::Mutex;

use async_trait::async_trait;
use tokio::io::{AsyncBufReadExt, BufReader, Lines, Stdin};

use crate::engine::{Caller, Engine, Event, Outcome, Reply};
use crate::i18n::Localizer;
use crate::render;

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
