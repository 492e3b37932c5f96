//! The pagers: PagerDuty Events API v2, Opsgenie, a generic JSON webhook, email over SMTP.
