//! Paging: the pagers against local receivers, the outbox, incidents from watchers.

mod pagers;
