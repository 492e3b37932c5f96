//! Plain-text rendering of reports, for the terminal (and any chat's code blocks).

use commands::{Block, Cell, Message, Report, msg};

use crate::engine::ApprovalCard;
use unicode_width::UnicodeWidthStr;

use crate::i18n::Localizer;

pub fn cell(l10n: &Localizer, cell: &Cell) -> String {
    match cell {
        Cell::Text(t) => t.clone(),
        Cell::Message(m) => l10n.text(m),
    }
}

/// A report as lines of text; tables aligned by display width (Hangul is two columns).
pub fn report(l10n: &Localizer, report: &Report) -> String {
    let mut out = String::new();
    for block in &report.blocks {
        match block {
            Block::Heading(m) => {
                out.push_str(&format!("== {} ==\n", l10n.text(m)));
            }
            Block::Table(table) => {
                let header: Vec<String> = table.columns.iter().map(|m| l10n.text(m)).collect();
                let rows: Vec<Vec<String>> = table
                    .rows
                    .iter()
                    .map(|row| row.iter().map(|c| cell(l10n, c)).collect())
                    .collect();
                out.push_str(&aligned(&header, &rows));
            }
            Block::Fields(fields) => {
                let keys: Vec<String> = fields.iter().map(|(k, _)| l10n.text(k)).collect();
                let width = keys.iter().map(|k| k.width()).max().unwrap_or(0);
                for (key, (_, value)) in keys.iter().zip(fields) {
                    let pad = " ".repeat(width - key.width());
                    out.push_str(&format!("{key}:{pad} {}\n", cell(l10n, value)));
                }
            }
            Block::Text(text) => {
                out.push_str(text);
                if !text.ends_with('\n') {
                    out.push('\n');
                }
            }
            Block::Note(m) => {
                out.push_str(&l10n.text(m));
                out.push('\n');
            }
        }
    }
    out
}

/// One sentence saying where an approval stands.
pub fn approval_summary(card: &ApprovalCard) -> Message {
    use crate::store::ApprovalState as S;
    let id = card.id.as_str();
    match card.state {
        S::Pending => msg!(
            "approval-card-pending",
            id = id,
            operation = card.operation.as_str(),
            requester = card.requester.as_str(),
            votes = card.approved_by.len(),
            needed = card.needed,
            roles = card.roles.join(", ")
        ),
        S::Approved | S::Running => msg!(
            "approval-card-running",
            id = id,
            approvers = card.approved_by.join(", ")
        ),
        S::Succeeded => msg!(
            "approval-card-succeeded",
            id = id,
            approvers = card.approved_by.join(", ")
        ),
        S::Failed => msg!("approval-card-failed", id = id),
        S::Denied => msg!(
            "approval-card-denied",
            id = id,
            by = card.decided_by.clone().unwrap_or_default(),
            reason = card.decision_reason.clone().unwrap_or_default()
        ),
        S::Expired => msg!("approval-card-expired", id = id),
        S::Invalidated => msg!(
            "approval-card-invalidated",
            id = id,
            reason = card.decision_reason.clone().unwrap_or_default()
        ),
        S::Interrupted => msg!("approval-card-interrupted", id = id),
    }
}

/// An approval card as text: the request, its checklist, where it stands, how to act.
pub fn approval_card(l10n: &Localizer, card: &ApprovalCard) -> String {
    let mut out = format!("⏳ {}\n", l10n.text(&approval_summary(card)));
    out.push_str(&format!(
        "   {}\n",
        l10n.text(&msg!("approval-card-command", line = card.line.as_str()))
    ));
    if let Some(places) = &card.places {
        out.push_str(&format!(
            "   {}
",
            l10n.text(places)
        ));
    }
    if let Some(reason) = &card.reason {
        out.push_str(&format!(
            "   {}\n",
            l10n.text(&msg!("approval-card-reason", reason = reason.as_str()))
        ));
    }
    for (gate, held) in &card.gates {
        out.push_str(&format!(
            "   {} {}\n",
            if *held { "✓" } else { "✗" },
            l10n.text(gate)
        ));
    }
    if card.state == crate::store::ApprovalState::Pending {
        out.push_str(&format!(
            "   {}\n",
            l10n.text(&msg!(
                "approval-card-actions",
                id = card.id.as_str(),
                expires = crate::engine::expiry_text(card.expires_at)
            ))
        ));
    }
    out
}

fn aligned(header: &[String], rows: &[Vec<String>]) -> String {
    let columns = header.len();
    let mut widths: Vec<usize> = header.iter().map(|h| h.width()).collect();
    for row in rows {
        for (i, value) in row.iter().enumerate().take(columns) {
            widths[i] = widths[i].max(value.width());
        }
    }
    let line = |values: &[String]| {
        let mut text = String::new();
        for (i, value) in values.iter().enumerate().take(columns) {
            text.push_str(value);
            if i + 1 < columns {
                text.push_str(&" ".repeat(widths[i] - value.width() + 2));
            }
        }
        text.trim_end().to_string() + "\n"
    };
    let mut out = line(header);
    let rule: Vec<String> = widths.iter().map(|w| "-".repeat(*w)).collect();
    out.push_str(&line(&rule));
    for row in rows {
        out.push_str(&line(row));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_align_by_display_width() {
        let header = vec!["이름".to_string(), "size".to_string()];
        let rows = vec![vec!["a".to_string(), "1".to_string()]];
        let text = aligned(&header, &rows);
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines[0], "이름  size");
        assert_eq!(lines[1], "----  ----");
        assert_eq!(lines[2], "a     1");
    }
}
