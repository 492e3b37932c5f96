//! Each pager against its local receiver.
