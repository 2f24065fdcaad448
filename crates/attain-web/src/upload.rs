//! Upload bodies spooled to an anonymous temporary file as they arrive, within a size limit:
//! an upload costs disk rather than memory, and is read only after its sender was authorised.

use std::io::{BufReader, Read, Seek, SeekFrom};

use tokio::io::AsyncWriteExt;

/// Why an upload could not be spooled.
#[derive(Debug)]
pub(crate) enum SpoolError {
    /// The body is larger than the limit.
    TooLarge,
    /// The temporary file could not be written (a fault of ours: disk full, permissions).
    Disk(std::io::Error),
}

/// An upload being written to a temporary file (deleted when dropped, even on a crash: it
/// has no name).
#[derive(Debug)]
pub(crate) struct Spool {
    file: tokio::fs::File,
    bytes: usize,
    lines: u64,
    limit: usize,
}

impl Spool {
    pub(crate) fn new(limit: usize) -> Result<Spool, SpoolError> {
        let file = tempfile::tempfile().map_err(SpoolError::Disk)?;
        Ok(Spool { file: tokio::fs::File::from_std(file), bytes: 0, lines: 0, limit })
    }

    /// A spool into the file `name` of `dir`, for uploads that must keep their names (the
    /// files of a directory layout); `limit` is what is left of the upload's allowance.
    pub(crate) async fn create_in(
        dir: &std::path::Path,
        name: &str,
        limit: usize,
    ) -> Result<Spool, SpoolError> {
        let file = tokio::fs::File::create(dir.join(name)).await.map_err(SpoolError::Disk)?;
        Ok(Spool { file, bytes: 0, lines: 0, limit })
    }

    /// Ends a named spool: the bytes stay on disk under its name. Returns how many there are.
    pub(crate) async fn close(mut self) -> Result<usize, SpoolError> {
        self.file.flush().await.map_err(SpoolError::Disk)?;
        Ok(self.bytes)
    }

    /// Appends the next piece of the body, refusing it once the body passes the limit.
    pub(crate) async fn write(&mut self, chunk: &[u8]) -> Result<(), SpoolError> {
        self.bytes += chunk.len();
        if self.bytes > self.limit {
            return Err(SpoolError::TooLarge);
        }
        self.lines += chunk.iter().filter(|&&b| b == b'\n').count() as u64;
        self.file.write_all(chunk).await.map_err(SpoolError::Disk)
    }

    /// The whole upload, to be read from its start, and its number of lines.
    pub(crate) async fn finish(mut self) -> Result<(Box<dyn Read + Send>, u64), SpoolError> {
        self.file.flush().await.map_err(SpoolError::Disk)?;
        let mut file = self.file.into_std().await;
        file.seek(SeekFrom::Start(0)).map_err(SpoolError::Disk)?;
        Ok((Box::new(BufReader::new(file)), self.lines))
    }
}
