//! The terminal as a chat: one command a line on stdin, progress on stdout as it happens.
//!
//! The subject is `shell:NAME`. It reads stdin, so it can be scripted:
//! `echo "etcd status" | opsbot shell --config opsbot.toml --as alice`.

use std::io::{IsTerminal, Write};
use std::sync::Mutex;

use tokio::io::{AsyncBufReadExt, BufReader};

use crate::engine::{Caller, Engine, Event, Outcome, Reply};
use crate::i18n::Localizer;
use crate::render;

/// Prints events as they come; remembers the step plans to label progress lines.
struct Terminal {
    l10n: Localizer,
    steps: Mutex<Vec<String>>,
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
                let mut text = format!("▶ {}\n", l.text(&started));
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
    let terminal = Terminal {
        l10n,
        steps: Mutex::new(Vec::new()),
    };
    let interactive = std::io::stdin().is_terminal();
    let mut lines = BufReader::new(tokio::io::stdin()).lines();
    let mut all_ok = true;
    loop {
        if interactive {
            terminal.print("opsbot> ");
        }
        let Some(line) = lines.next_line().await? else {
            break;
        };
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
