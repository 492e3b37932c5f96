//! Runbook §1: the daily look at the clusters.

pub mod status;
pub mod top;
