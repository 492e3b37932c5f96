//! Block Kit for what the engine says: the run message (a header with the state, who asked,
//! where, how long, a section per step, then the report), `help`, and ephemeral sentences.
//!
//! Slack refuses a section over 3000 characters and a message over 50 blocks. Output beyond
//! that is not cut: it becomes a file for the run's thread and the message says so.

use commands::{Block, Message, Report, msg};
use slack_morphism::prelude::{
    SlackBlock, SlackBlockMarkDownText, SlackBlockText, SlackContextBlock,
    SlackContextBlockElement, SlackHeaderBlock, SlackSectionBlock,
};

use crate::adapters::run_view::{RunView, StepState};
use crate::engine::Outcome;
use crate::i18n::Localizer;
use crate::render;

/// Slack's own limits (Block Kit reference); `section_text` and `blocks` can be lowered by
/// tests through [`Limits`], the others are fixed by Slack.
const MAX_HEADER_TEXT: usize = 150;
const MAX_FIELD_TEXT: usize = 2000;
const MAX_FIELDS: usize = 10;
const MAX_CONTEXT_TEXT: usize = 2000;
/// Steps beyond this many are listed in one section, so a long plan cannot eat the block budget.
const MAX_STEP_SECTIONS: usize = 20;

/// How much one message may hold.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    /// Characters of one section's text.
    pub section_text: usize,
    /// Blocks in one message.
    pub blocks: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            section_text: 3000,
            blocks: 50,
        }
    }
}

/// A message ready to send: the notification text, the blocks, and files for its thread.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Rendered {
    pub text: String,
    pub blocks: Vec<SlackBlock>,
    pub files: Vec<FileOut>,
}

/// Output too long for a message, to be uploaded into the thread.
#[derive(Clone, Debug, PartialEq)]
pub struct FileOut {
    pub name: String,
    pub content: String,
}

/// `&`, `<` and `>` are control characters in Slack text, even inside code blocks.
pub fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// Verbatim text in a code block; a ``` inside would end the block early, so it is broken up.
fn code_block(text: &str) -> String {
    let body = escape(text.trim_end_matches('\n')).replace("```", "`\u{200b}``");
    format!("```\n{body}\n```")
}

/// A user id as a mention; anything but Slack's id characters is dropped so a payload cannot
/// smuggle markup into the message.
pub fn mention(user: &str) -> String {
    let id: String = user.chars().filter(char::is_ascii_alphanumeric).collect();
    format!("<@{id}>")
}

pub(crate) fn truncate(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_string();
    }
    let mut cut: String = text.chars().take(max.saturating_sub(1)).collect();
    cut.push('…');
    cut
}

pub(crate) fn markdown(text: String) -> SlackBlockText {
    SlackBlockText::MarkDown(SlackBlockMarkDownText::new(text))
}

pub(crate) fn section(text: String) -> SlackBlock {
    SlackSectionBlock::new().with_text(markdown(text)).into()
}

pub(crate) fn context(text: String) -> SlackBlock {
    let element = SlackContextBlockElement::MarkDown(SlackBlockMarkDownText::new(truncate(
        &text,
        MAX_CONTEXT_TEXT,
    )));
    SlackContextBlock::new(vec![element]).into()
}

pub(crate) fn header(text: &str) -> SlackBlock {
    SlackHeaderBlock::new(truncate(text, MAX_HEADER_TEXT).into()).into()
}

/// An approval card: what is asked, by whom and why, its checklist, where it stands, and
/// while it is pending the Approve / Deny buttons. The buttons carry only `approve:ID` and
/// `deny:ID`; the engine checks the clicker's right when the click arrives.
pub(crate) fn approval_card(l10n: &Localizer, card: &crate::engine::ApprovalCard) -> Rendered {
    use slack_morphism::prelude::{
        SlackActionId, SlackActionsBlock, SlackBlockButtonElement, SlackBlockButtonStyle,
    };
    let summary = l10n.text(&render::approval_summary(card));
    let title = l10n.text(&msg!(
        "slack-approval-header",
        operation = card.operation.as_str()
    ));
    let mut details = vec![l10n.text(&msg!("approval-card-command", line = card.line.as_str()))];
    details.extend(card.places.as_ref().map(|places| l10n.text(places)));
    if let Some(reason) = &card.reason {
        details.push(l10n.text(&msg!("approval-card-reason", reason = reason.as_str())));
    }
    for (gate, held) in &card.gates {
        details.push(format!(
            "{} {}",
            if *held { "✓" } else { "✗" },
            l10n.text(gate)
        ));
    }
    let mut blocks = vec![
        header(&title),
        section(escape(&summary)),
        context(escape(&details.join("\n"))),
    ];
    if card.state == crate::store::ApprovalState::Pending {
        let button = |id: &str, label: Message, value: String, style| {
            SlackBlockButtonElement::new(l10n.text(&label).into())
                .with_action_id(SlackActionId::new(id.to_string()))
                .with_value(value)
                .with_style(style)
                .into()
        };
        blocks.push(
            SlackActionsBlock::new(vec![
                button(
                    "opsbot-approve",
                    msg!("slack-approval-approve"),
                    format!("approve:{}", card.id),
                    SlackBlockButtonStyle::Primary,
                ),
                button(
                    "opsbot-deny",
                    msg!("slack-approval-deny"),
                    format!("deny:{}", card.id),
                    SlackBlockButtonStyle::Danger,
                ),
            ])
            .into(),
        );
        let expires = crate::engine::expiry_text(card.expires_at);
        blocks.push(context(escape(
            &l10n.text(&msg!("slack-approval-expires", expires = expires)),
        )));
    }
    Rendered {
        text: summary,
        blocks,
        files: Vec::new(),
    }
}

/// The progress message of a run, in whatever state it is.
pub(crate) fn run_message(l10n: &Localizer, view: &RunView, limits: Limits) -> Rendered {
    let operation = view.operation;
    let title = match &view.finished {
        None => msg!("slack-run-running", operation = operation),
        Some(f) if f.outcome == Outcome::Succeeded => {
            msg!("slack-run-succeeded", operation = operation)
        }
        Some(_) => msg!("slack-run-failed", operation = operation),
    };
    let title = l10n.text(&title);
    let elapsed = view
        .finished
        .as_ref()
        .map(|f| f.elapsed)
        .unwrap_or_else(|| view.started.elapsed());
    let seconds = format!("{:.1}", elapsed.as_secs_f64());
    let who = mention(&view.requester);
    let about = if view.clusters.is_empty() {
        msg!(
            "slack-run-context-global",
            user = who,
            seconds = seconds.as_str(),
            request = view.request_id.as_str()
        )
    } else {
        msg!(
            "slack-run-context",
            user = who,
            clusters = view.clusters.join(", "),
            seconds = seconds.as_str(),
            request = view.request_id.as_str()
        )
    };
    let mut top = vec![header(&title), context(l10n.text(&about))];
    top.extend(
        view.places
            .as_ref()
            .map(|places| context(l10n.text(places))),
    );
    top.extend(step_blocks(l10n, view, limits));

    let Some(finished) = &view.finished else {
        return Rendered {
            text: title,
            blocks: top,
            files: Vec::new(),
        };
    };
    let summary = match (finished.outcome, &finished.error) {
        (Outcome::Succeeded, _) => msg!(
            "run-succeeded",
            seconds = seconds.as_str(),
            request = view.request_id.as_str()
        ),
        (_, error) => msg!(
            "run-failed",
            seconds = seconds.as_str(),
            request = view.request_id.as_str(),
            reason = error.as_ref().map(|m| l10n.text(m)).unwrap_or_default()
        ),
    };
    let mark = if finished.outcome == Outcome::Succeeded {
        "✓"
    } else {
        "✗"
    };
    let summary = format!("{mark} {}", l10n.text(&summary));
    let base = format!("{}-{}", file_stem(operation), view.request_id);
    let tail = vec![section(truncate(&escape(&summary), limits.section_text))];
    let body = fit(
        l10n,
        &finished.report,
        &base,
        limits,
        top.len() + tail.len(),
    );
    let mut blocks = top;
    blocks.extend(body.blocks);
    blocks.extend(tail);
    Rendered {
        text: format!("{title}: {summary}"),
        blocks,
        files: body.files,
    }
}

/// A report that is not a run (`help`): its first heading as the header, then the blocks.
pub fn report_message(l10n: &Localizer, report: &Report, base: &str, limits: Limits) -> Rendered {
    let (title, rest) = match report.blocks.split_first() {
        Some((Block::Heading(m), rest)) => (Some(l10n.text(m)), rest.to_vec()),
        _ => (None, report.blocks.clone()),
    };
    let rest = Report { blocks: rest };
    let mut blocks: Vec<SlackBlock> = title.iter().map(|t| header(t)).collect();
    let body = fit(l10n, &rest, base, limits, blocks.len());
    blocks.extend(body.blocks);
    let text = title.unwrap_or_else(|| truncate(&render::report(l10n, &rest), 300));
    Rendered {
        text,
        blocks,
        files: body.files,
    }
}

/// The text-only form of a run message, for when Slack refuses its blocks: the summary as
/// text, no blocks (which clears the old ones), and the whole report as a file.
pub(crate) fn plain(l10n: &Localizer, view: &RunView, rendered: Rendered) -> Rendered {
    let files = view
        .finished
        .iter()
        .filter(|f| !f.report.blocks.is_empty())
        .map(|f| FileOut {
            name: format!("{}-{}.txt", file_stem(view.operation), view.request_id),
            content: render::report(l10n, &f.report),
        })
        .collect();
    Rendered {
        text: rendered.text,
        blocks: Vec::new(),
        files,
    }
}

/// One sentence for one person: `✗ …` for refusals, `• …` for notices.
pub fn sentence(mark: &str, l10n: &Localizer, message: &Message) -> String {
    format!("{mark} {}", escape(&l10n.text(message)))
}

fn step_blocks(l10n: &Localizer, view: &RunView, limits: Limits) -> Vec<SlackBlock> {
    let count = view.steps.len();
    let lines: Vec<String> = view
        .steps
        .iter()
        .enumerate()
        .map(|(i, step)| {
            let plan = escape(&l10n.text(&step.plan));
            let (mark, detail) = match &step.state {
                StepState::Pending => ("◻", l10n.text(&msg!("slack-step-pending"))),
                StepState::Running { progress: None } => {
                    ("…", l10n.text(&msg!("slack-step-running")))
                }
                StepState::Running { progress: Some(m) } => ("…", l10n.text(m)),
                StepState::Done { elapsed } => (
                    "✓",
                    l10n.text(&msg!(
                        "run-step-done",
                        seconds = format!("{:.1}", elapsed.as_secs_f64())
                    )),
                ),
                StepState::Failed { error } => ("✗", l10n.text(error)),
            };
            format!("{mark} *{}/{count}* {plan}\n{}", i + 1, escape(&detail))
        })
        .collect();
    if count <= MAX_STEP_SECTIONS {
        return lines
            .into_iter()
            .map(|l| section(truncate(&l, limits.section_text)))
            .collect();
    }
    let joined = lines.join("\n");
    vec![section(truncate(&joined, limits.section_text))]
}

/// A file name from an operation id: letters, digits, `.` and `-` only.
fn file_stem(name: &str) -> String {
    name.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '.' || c == '-' {
                c
            } else {
                '-'
            }
        })
        .collect()
}

/// The report's blocks, each within Slack's limits; what does not fit goes to files. When the
/// whole would pass the message's block budget (`used` blocks are taken already), the report
/// goes to one file instead and the message keeps a note.
fn fit(l10n: &Localizer, report: &Report, base: &str, limits: Limits, used: usize) -> Rendered {
    let mut out = Rendered::default();
    for block in &report.blocks {
        encode_block(l10n, block, base, limits, &mut out);
    }
    if used + out.blocks.len() <= limits.blocks {
        return out;
    }
    let name = format!("{base}.txt");
    let note = msg!("slack-overflow-report", file = name.as_str());
    Rendered {
        text: String::new(),
        blocks: vec![context(escape(&l10n.text(&note)))],
        files: vec![FileOut {
            name,
            content: render::report(l10n, report),
        }],
    }
}

fn encode_block(l10n: &Localizer, block: &Block, base: &str, limits: Limits, out: &mut Rendered) {
    let overflow = |out: &mut Rendered, kind: &'static str| {
        let name = format!("{base}-{}.txt", out.files.len() + 1);
        let single = Report {
            blocks: vec![block.clone()],
        };
        let note = Message::new(kind).arg("file", name.as_str());
        out.blocks.push(context(escape(&l10n.text(&note))));
        out.files.push(FileOut {
            name,
            content: render::report(l10n, &single),
        });
    };
    match block {
        Block::Heading(m) => {
            let text = format!("*{}*", escape(&l10n.text(m)));
            out.blocks
                .push(section(truncate(&text, limits.section_text)));
        }
        Block::Table(_) | Block::Text(_) => {
            let text = match block {
                Block::Text(t) => t.clone(),
                _ => render::report(
                    l10n,
                    &Report {
                        blocks: vec![block.clone()],
                    },
                ),
            };
            let code = code_block(&text);
            if code.chars().count() <= limits.section_text {
                out.blocks.push(section(code));
            } else if matches!(block, Block::Table(_)) {
                overflow(out, "slack-overflow-table");
            } else {
                overflow(out, "slack-overflow-text");
            }
        }
        Block::Fields(fields) => {
            let texts: Vec<String> = fields
                .iter()
                .map(|(k, v)| {
                    format!(
                        "*{}*\n{}",
                        escape(&l10n.text(k)),
                        escape(&render::cell(l10n, v))
                    )
                })
                .collect();
            if texts.iter().any(|t| t.chars().count() > MAX_FIELD_TEXT) {
                overflow(out, "slack-overflow-text");
                return;
            }
            for chunk in texts.chunks(MAX_FIELDS) {
                let fields = chunk.iter().map(|t| markdown(t.clone())).collect();
                out.blocks
                    .push(SlackSectionBlock::new().with_fields(fields).into());
            }
        }
        Block::Note(m) => out.blocks.push(context(escape(&l10n.text(m)))),
    }
}
