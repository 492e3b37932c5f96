//! What a Discord message looks like: embeds (title, description ≤ 4096, fields ≤ 25 with
//! names ≤ 256 and values ≤ 1024) for key/values, code blocks for tables and text, Approve /
//! Deny buttons on approval cards, and an attachment when the output does not fit. Built with
//! serenity's builders and sent as their JSON.

use commands::{Block, Message, Report, msg};
use serde_json::{Value, json};
use serenity::all::{ButtonStyle, CreateActionRow, CreateButton, CreateEmbed, CreateEmbedFooter};

use super::service::Attachment;
use super::sink::Doc;
use crate::adapters::run_view::{RunView, StepState};
use crate::engine::{ApprovalCard, Outcome};
use crate::i18n::Localizer;
use crate::render;

pub const DESCRIPTION_MAX: usize = 4096;
pub const FIELDS_MAX: usize = 25;
pub const FIELD_NAME_MAX: usize = 256;
pub const FIELD_VALUE_MAX: usize = 1024;
pub const TITLE_MAX: usize = 256;
pub const CONTENT_MAX: usize = 2000;

/// A message body ready for Discord, and the files that go with it.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Rendered {
    pub body: Value,
    pub files: Vec<Attachment>,
}

/// Cuts `text` to at most `max` characters (Discord counts characters), marking the cut.
pub fn truncate(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_string();
    }
    let mut out: String = text.chars().take(max.saturating_sub(1)).collect();
    out.push('…');
    out
}

/// A code block that cannot be closed early by the text inside it.
pub fn code_block(text: &str) -> String {
    format!(
        "```\n{}\n```",
        text.trim_end().replace("```", "`\u{200b}``")
    )
}

pub fn sentence(mark: &str, l10n: &Localizer, message: &Message) -> String {
    format!("{mark} {}", l10n.text(message))
}

/// The whole document of one request: sentences, a card, a help report or a run.
pub(crate) fn document(l10n: &Localizer, doc: &Doc, attach: bool) -> Rendered {
    let mut embeds = Vec::new();
    let mut components = Vec::new();
    let mut files = Vec::new();
    if let Some(card) = &doc.card {
        let (embed, buttons) = approval_card(l10n, card);
        embeds.push(embed);
        components.extend(buttons);
    }
    if let Some(report) = &doc.help {
        let title = l10n.text(&msg!("discord-help-title"));
        embeds.push(report_embed(
            l10n,
            CreateEmbed::new().title(title),
            "",
            report,
            "help",
            &mut files,
        ));
    }
    if let Some(run) = &doc.run {
        embeds.push(run_embed(l10n, run, &mut files));
    }
    let content = truncate(&doc.notes.join("\n"), CONTENT_MAX);
    if !attach {
        files.clear();
    }
    Rendered {
        body: json!({
            "content": content,
            "embeds": embeds.iter().map(to_json).collect::<Vec<_>>(),
            "components": components.iter().map(to_json).collect::<Vec<_>>(),
            "allowed_mentions": {"parse": []},
        }),
        files,
    }
}

fn to_json<T: serde::Serialize>(value: &T) -> Value {
    serde_json::to_value(value).unwrap_or(Value::Null)
}

/// An approval card: an embed and, while it waits, its Approve / Deny buttons carrying only
/// the opaque `approve:ID` / `deny:ID`.
pub(crate) fn approval_card(
    l10n: &Localizer,
    card: &ApprovalCard,
) -> (CreateEmbed, Vec<CreateActionRow>) {
    let title = l10n.text(&msg!(
        "discord-approval-header",
        operation = card.operation.as_str()
    ));
    let embed = CreateEmbed::new()
        .title(truncate(&title, TITLE_MAX))
        .description(truncate(
            &render::approval_card(l10n, card),
            DESCRIPTION_MAX,
        ));
    if card.state != crate::store::ApprovalState::Pending {
        return (embed, Vec::new());
    }
    let buttons = vec![
        CreateButton::new(format!("approve:{}", card.id))
            .label(l10n.text(&msg!("discord-approval-approve")))
            .style(ButtonStyle::Success),
        CreateButton::new(format!("deny:{}", card.id))
            .label(l10n.text(&msg!("discord-approval-deny")))
            .style(ButtonStyle::Danger),
    ];
    (embed, vec![CreateActionRow::Buttons(buttons)])
}

fn run_embed(l10n: &Localizer, view: &RunView, files: &mut Vec<Attachment>) -> CreateEmbed {
    let operation = view.operation;
    let title = match &view.finished {
        None => msg!("discord-run-running", operation = operation),
        Some(f) if f.outcome == Outcome::Succeeded => {
            msg!("discord-run-succeeded", operation = operation)
        }
        Some(_) => msg!("discord-run-failed", operation = operation),
    };
    let elapsed = view
        .finished
        .as_ref()
        .map(|f| f.elapsed)
        .unwrap_or_else(|| view.started.elapsed());
    let seconds = format!("{:.1}", elapsed.as_secs_f64());
    let footer = l10n.text(&msg!(
        "discord-run-context",
        user = view.requester.as_str(),
        clusters = view.clusters.join(", "),
        seconds = seconds.as_str(),
        request = view.request_id.as_str()
    ));
    let count = view.steps.len();
    let mut steps = String::new();
    if let Some(places) = &view.places {
        steps.push_str(&format!("{}\n", l10n.text(places)));
    }
    for (i, step) in view.steps.iter().enumerate() {
        let (mark, detail) = match &step.state {
            StepState::Pending => ("◻", l10n.text(&msg!("discord-step-pending"))),
            StepState::Running { progress: None } => {
                ("…", l10n.text(&msg!("discord-step-running")))
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
        steps.push_str(&format!(
            "{mark} **{}/{count}** {} — {detail}\n",
            i + 1,
            l10n.text(&step.plan)
        ));
    }
    if let Some(error) = view.finished.as_ref().and_then(|f| f.error.as_ref()) {
        steps.push_str(&format!("✗ {}\n", l10n.text(error)));
    }
    let embed = CreateEmbed::new()
        .title(truncate(&l10n.text(&title), TITLE_MAX))
        .footer(CreateEmbedFooter::new(truncate(&footer, 2048)));
    match &view.finished {
        Some(f) => report_embed(l10n, embed, &steps, &f.report, operation, files),
        None => embed.description(truncate(&steps, DESCRIPTION_MAX)),
    }
}

/// A report in an embed: its key/values as fields (when they fit Discord's limits), the rest
/// as a code block after `lead`; what does not fit goes whole into an attachment.
fn report_embed(
    l10n: &Localizer,
    mut embed: CreateEmbed,
    lead: &str,
    report: &Report,
    base: &str,
    files: &mut Vec<Attachment>,
) -> CreateEmbed {
    let mut fields = Vec::new();
    let mut rest = report.clone();
    rest.blocks.clear();
    for block in &report.blocks {
        match block {
            Block::Fields(pairs) if fields.len() + pairs.len() <= FIELDS_MAX => {
                for (key, value) in pairs {
                    let value = render::cell(l10n, value);
                    fields.push((
                        truncate(&l10n.text(key), FIELD_NAME_MAX),
                        truncate(if value.is_empty() { "-" } else { &value }, FIELD_VALUE_MAX),
                    ));
                }
            }
            other => rest.blocks.push(other.clone()),
        }
    }
    let text = render::report(l10n, &rest);
    let mut description = lead.to_string();
    if !text.trim().is_empty() {
        let block = code_block(&text);
        if description.chars().count() + block.chars().count() < DESCRIPTION_MAX {
            description.push_str(&block);
        } else {
            let name = format!("{}.txt", file_stem(base));
            files.push(Attachment {
                name: name.clone(),
                bytes: render::report(l10n, report).into_bytes(),
            });
            description.push_str(&l10n.text(&msg!("discord-overflow", file = name.as_str())));
        }
    }
    if !description.is_empty() {
        embed = embed.description(truncate(&description, DESCRIPTION_MAX));
    }
    for (name, value) in fields {
        embed = embed.field(name, value, true);
    }
    embed
}

/// A file name from a label: letters, digits, `.` and `-` only.
fn file_stem(name: &str) -> String {
    let stem: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '.' || c == '-' {
                c
            } else {
                '-'
            }
        })
        .collect();
    if stem.is_empty() {
        "output".to_string()
    } else {
        stem
    }
}
