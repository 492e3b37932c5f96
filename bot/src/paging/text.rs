//! Texts for pagers: cut to a provider's limit, with credentials taken out.
