//! The Music on Hold model as the push to Asterisk wants it: [`DesiredSource`] over [`Moh`].
//!
//! Every value is re-checked by the push area's own types on the way across, so a model that somehow
//! holds a bad value is refused here rather than written into an Asterisk config.

use super::Moh;
use super::model::{Mode, Sort};
use crate::asterisk::push::desired as push;
use crate::asterisk::push::desired::{
    AudioFormat, BaseName, ClassName, ClassOptions, DesiredClass, DesiredError, DesiredFile, DesiredMoh,
    DesiredSource,
};
use async_trait::async_trait;

#[async_trait]
impl DesiredSource for Moh {
    async fn desired(&self) -> Result<DesiredMoh, DesiredError> {
        let categories = self.categories().await.map_err(|e| DesiredError::Source(e.to_string()))?;
        let formats = self
            .formats()
            .iter()
            .map(|f| AudioFormat::parse(f.extension()))
            .collect::<Result<Vec<_>, _>>()?;
        let classes = categories
            .into_iter()
            .map(|entry| {
                let settings = &entry.category.settings;
                let files = entry
                    .files
                    .iter()
                    .map(|f| {
                        Ok(DesiredFile { base: BaseName::parse(&f.stored_name)?, formats: formats.clone() })
                    })
                    .collect::<Result<Vec<_>, DesiredError>>()?;
                Ok(DesiredClass {
                    name: ClassName::parse(entry.category.name.as_str())?,
                    mode: match settings.mode {
                        Mode::Files => push::Mode::Files,
                        Mode::Playlist => push::Mode::Playlist,
                    },
                    options: ClassOptions {
                        sort: Some(match settings.sort {
                            Sort::Alpha => push::Sort::Alpha,
                            Sort::Random => push::Sort::Random,
                            Sort::Randstart => push::Sort::RandStart,
                        }),
                        digit: settings.digit.and_then(|d| push::Digit::parse(d.as_char())),
                        loop_last: settings.loop_last,
                        answered_only: settings.answeredonly,
                    },
                    files,
                })
            })
            .collect::<Result<Vec<_>, DesiredError>>()?;
        Ok(DesiredMoh { source_dir: self.layout.root().to_path_buf(), classes })
    }
}
