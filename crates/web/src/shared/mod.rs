//! What the JSON API (`api/`) and the pages (`pages/`) both use: the inputs both read
//! (query strings, bodies, forms) and the steps both take the same way. Neither face
//! imports the other; both import this.

pub mod accidents;
pub mod audit;
pub mod client_address;
pub mod daily;
pub mod directory;
pub mod enterprises;
pub mod obligations;
pub mod plans;
pub mod reports;
pub mod tips;
pub mod warnings;
pub mod workers;
