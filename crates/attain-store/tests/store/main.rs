//! The store contract: every test here runs on SQLite and on PostgreSQL.

mod contract;
mod schema;

use attain_store::Store;
use attain_testkit::{Db, TestDb};

/// Declares a test that runs the async function `$body(Store)` once per backend.
macro_rules! on_both {
    ($($name:ident),+ $(,)?) => {
        $(mod $name {
            #[tokio::test]
            async fn sqlite() {
                crate::run(attain_testkit::Db::Sqlite, super::$name).await
            }
            #[tokio::test]
            async fn postgres() {
                crate::run(attain_testkit::Db::Postgres, super::$name).await
            }
        })+
    };
}
pub(crate) use on_both;

pub(crate) async fn run<F, Fut>(backend: Db, body: F)
where
    F: FnOnce(Store, Db) -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    let Some(db) = TestDb::new(backend).await else { return };
    let store = Store::open(&db.url).await.expect("open a fresh store");
    body(store.clone(), backend).await;
    store.close().await;
}
