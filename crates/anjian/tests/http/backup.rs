//! The backup and restore drill for PostgreSQL and a bucket (issue 21 part 4): dump,
//! restore into an empty database, objects back in a bucket, then the audit chain
//! verified and every referenced object found; and the data directory's files copied
//! into a bucket by `anjian storage migrate`.

use std::process::{Command, Output};

use crate::harness::{TEST_SECRET, TempDir, TestApp, random_name};
use crate::processes::{S3Server, SECRET_KEY};

fn copy_dir(from: &std::path::Path, to: &std::path::Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap().flatten() {
        let target = to.join(e.file_name());
        if e.path().is_dir() {
            copy_dir(&e.path(), &target);
        } else {
            std::fs::copy(e.path(), target).unwrap();
        }
    }
}

/// `anjian` with the data directory `dir` (holding the test key) and the store on `s3`.
fn anjian(dir: &std::path::Path, s3: &S3Server, args: &[&str]) -> Output {
    std::fs::create_dir_all(dir).unwrap();
    std::fs::write(dir.join("secret.key"), TEST_SECRET).unwrap();
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_anjian"));
    cmd.arg("--data-dir").arg(dir).args(args);
    cmd.env("ANJIAN_STORAGE_URL", "s3://anjian/files")
        .env_remove("ANJIAN_DATABASE_URL");
    for (k, v) in s3.vars(SECRET_KEY) {
        cmd.env(k, v);
    }
    cmd.output().unwrap()
}

fn text(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

#[tokio::test]
async fn a_postgres_dump_and_the_bucket_restore_whole() {
    let Some(admin) = std::env::var("ANJIAN_TEST_DATABASE_URL").ok() else {
        eprintln!("skipped: the drill needs PostgreSQL (ANJIAN_TEST_DATABASE_URL)");
        return;
    };
    let Some(s3) = S3Server::start("anjian").await else {
        return;
    };
    let app = TestApp::with_store(
        crate::harness::Engine::Postgres,
        anjian_web::WebConfig::default(),
        Some(s3.store("s3://anjian/files", SECRET_KEY)),
    )
    .await;
    // A report with a photo: the database now names an object in the bucket.
    let bachuan = app.login("bachuan").await;
    let open = crate::processes::pending(&bachuan).await[0];
    let form = crate::processes::evidence(crate::reports::PNG, "现场.png");
    let r = bachuan
        .post_multipart(&format!("/obligations/{open}/reports"), form)
        .await;
    assert_eq!(r.status(), 303);
    let (sha,): (String,) = app
        .db
        .read()
        .one(anjian_store::q(
            "SELECT sha256 FROM evidence ORDER BY id DESC LIMIT 1",
        ))
        .await
        .unwrap();

    // Backup: pg_dump and a copy of the bucket.
    let work = TempDir(std::env::temp_dir().join(format!("anjian-drill-{}", random_name())));
    std::fs::create_dir_all(&work.0).unwrap();
    let dump = work.0.join("anjian.dump");
    let out = Command::new("pg_dump")
        .args(["-Fc", "--no-owner", "-d", &app.url, "-f"])
        .arg(&dump)
        .output()
        .unwrap();
    assert!(out.status.success(), "pg_dump: {}", text(&out));
    let bucket_copy = work.0.join("bucket");
    copy_dir(&s3.root.0.join("anjian"), &bucket_copy);

    // Restore: an empty database and a new store holding the copied objects.
    let name = format!("anjian_r_{}", random_name());
    let adm = anjian_store::Db::connect(&admin).await.unwrap();
    adm.read()
        .execute(anjian_store::q(format!("CREATE DATABASE {name}")))
        .await
        .unwrap();
    let restored = format!("{}/{name}", admin.rsplit_once('/').unwrap().0);
    let out = Command::new("pg_restore")
        .args(["--no-owner", "-d", &restored])
        .arg(&dump)
        .output()
        .unwrap();
    assert!(out.status.success(), "pg_restore: {}", text(&out));
    let Some(s3b) = S3Server::start("anjian").await else {
        return;
    };
    copy_dir(&bucket_copy, &s3b.root.0.join("anjian"));
    let dir = work.0.join("data");
    let out = anjian(
        &dir,
        &s3b,
        &["--database-url", &restored, "audit", "verify"],
    );
    assert!(out.status.success(), "audit verify: {}", text(&out));
    let out = anjian(
        &dir,
        &s3b,
        &["--database-url", &restored, "storage", "check"],
    );
    assert!(out.status.success(), "storage check: {}", text(&out));
    assert!(text(&out).contains("均在"), "{}", text(&out));
    // An object lost from the bucket is named.
    std::fs::remove_file(s3b.object("anjian/files", &sha)).unwrap();
    let out = anjian(
        &dir,
        &s3b,
        &["--database-url", &restored, "storage", "check"],
    );
    assert!(!out.status.success());
    assert!(
        text(&out).contains(&sha) && text(&out).contains("缺少"),
        "{}",
        text(&out)
    );
    let _ = adm
        .read()
        .execute(anjian_store::q(format!(
            "DROP DATABASE IF EXISTS {name} WITH (FORCE)"
        )))
        .await;
}

/// `anjian storage migrate` copies the data directory's files into the bucket, each
/// read back and its digest checked; a second run finds them there.
#[tokio::test]
async fn storage_migrate_copies_the_data_directory_into_the_bucket() {
    let Some(s3) = S3Server::start("anjian").await else {
        return;
    };
    let dir = TempDir(std::env::temp_dir().join(format!("anjian-migrate-{}", random_name())));
    let local = anjian_store::files::FileStore::new(&dir.0);
    let a = local.put(b"%PDF-1.4 one").await.unwrap();
    let b = local.put(crate::reports::PNG).await.unwrap();
    let out = anjian(&dir.0, &s3, &["storage", "migrate"]);
    assert!(out.status.success(), "{}", text(&out));
    assert!(text(&out).contains("新复制 2 个"), "{}", text(&out));
    for sha in [&a, &b] {
        assert!(s3.object("anjian/files", sha).exists());
    }
    let out = anjian(&dir.0, &s3, &["storage", "migrate"]);
    assert!(
        text(&out).contains("新复制 0 个，已存在 2 个"),
        "{}",
        text(&out)
    );
}
