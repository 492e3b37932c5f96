//! Paging: the pagers against local receivers, the outbox, incidents from watchers.

mod etcd;
mod outbox;
mod pagers;
mod scopes;

fn bin() -> &'static std::path::Path {
    std::path::Path::new(env!("CARGO_BIN_EXE_opsbot"))
}
