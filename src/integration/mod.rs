//! Veche's connections to the outside: outgoing mail now; message exchange
//! with the project-management core and outside systems later.

pub mod mail;
