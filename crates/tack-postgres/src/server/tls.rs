//! TLS for connections: rustls with the `ring` provider, configured the way libpq reads
//! `sslmode`, `sslrootcert`, `sslcert` and `sslkey`.
//!
//! * `disable`: no TLS.
//! * `allow` / `prefer`: TLS when the server offers it (tack tries TLS first for `allow` too).
//! * `require`: TLS or fail.
//! * `verify-ca`: TLS, and the server's certificate must chain to a trusted root.
//! * `verify-full`: as `verify-ca`, and the certificate must name the host.
//!
//! As in libpq, `allow`/`prefer`/`require` accept any certificate unless a root certificate file
//! is available (`sslrootcert`, or `~/.postgresql/root.crt`), in which case the chain is
//! verified as for `verify-ca`. `sslrootcert=system` uses the operating system's trust store and,
//! as in libpq, only goes with `verify-full`. The verifying modes fail without a root
//! certificate, naming the file they looked for.
//!
//! Certificates are judged as libpq (OpenSSL) judges them, not only as a web browser would: a
//! certificate found in `sslrootcert` is trusted as it is when the server presents it (the
//! self-signed server certificate of PostgreSQL's documentation is a CA certificate, which webpki
//! alone refuses as a server's), and under `verify-full` the Common Name stands for the host name
//! when the certificate has no subject alternative names.

use crate::server::error::Error;
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::client::WebPkiServerVerifier;
use rustls::crypto::{verify_tls12_signature, verify_tls13_signature, CryptoProvider};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, ServerName, UnixTime};
use rustls::{
    CertificateError, ClientConfig, DigitallySignedStruct, RootCertStore, SignatureScheme,
};
use std::fmt;
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::sync::Arc;

/// libpq's `sslmode`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SslMode {
    Disable,
    Allow,
    /// libpq's default.
    #[default]
    Prefer,
    Require,
    VerifyCa,
    VerifyFull,
}

impl SslMode {
    pub const NAMES: &'static str = "disable, allow, prefer, require, verify-ca, verify-full";

    pub fn as_str(self) -> &'static str {
        match self {
            SslMode::Disable => "disable",
            SslMode::Allow => "allow",
            SslMode::Prefer => "prefer",
            SslMode::Require => "require",
            SslMode::VerifyCa => "verify-ca",
            SslMode::VerifyFull => "verify-full",
        }
    }

    /// The mode tokio-postgres negotiates with.
    pub(crate) fn negotiation(self) -> tokio_postgres::config::SslMode {
        use tokio_postgres::config::SslMode as T;
        match self {
            SslMode::Disable => T::Disable,
            SslMode::Allow | SslMode::Prefer => T::Prefer,
            SslMode::Require | SslMode::VerifyCa | SslMode::VerifyFull => T::Require,
        }
    }
}

impl fmt::Display for SslMode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for SslMode {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        Ok(match s.trim() {
            "disable" => SslMode::Disable,
            "allow" => SslMode::Allow,
            "prefer" => SslMode::Prefer,
            "require" => SslMode::Require,
            "verify-ca" => SslMode::VerifyCa,
            "verify-full" => SslMode::VerifyFull,
            other => {
                return Err(format!(
                    "invalid sslmode \"{other}\" (expected one of {})",
                    SslMode::NAMES
                ))
            }
        })
    }
}

/// Where trusted root certificates come from (`sslrootcert`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RootCerts {
    /// `sslrootcert=system`: the operating system's trust store.
    System,
    /// A PEM file of CA certificates.
    File(PathBuf),
}

impl RootCerts {
    pub(crate) fn from_setting(value: &str) -> RootCerts {
        if value == "system" {
            RootCerts::System
        } else {
            RootCerts::File(PathBuf::from(value))
        }
    }
}

/// TLS settings gathered from the connection string and the environment.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TlsSettings {
    pub mode: SslMode,
    /// `sslrootcert`; when `None`, `~/.postgresql/root.crt` is used if it exists.
    pub root_certs: Option<RootCerts>,
    /// `sslcert`; when `None`, `~/.postgresql/postgresql.crt` is used if it and the key exist.
    pub client_cert: Option<PathBuf>,
    /// `sslkey`; when `None`, `~/.postgresql/postgresql.key`.
    pub client_key: Option<PathBuf>,
    /// The user's home directory, for the `~/.postgresql` defaults.
    pub home: Option<PathBuf>,
}

fn default_file(home: Option<&Path>, name: &str) -> Option<PathBuf> {
    let path = home?.join(".postgresql").join(name);
    path.is_file().then_some(path)
}

/// How the server certificate is checked.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Check {
    Nothing,
    Chain(RootCerts),
    ChainAndName(RootCerts),
}

fn tls_error(target: &str, reason: String, hint: &str) -> Error {
    Error::Tls {
        target: target.to_owned(),
        reason,
        hint: hint.to_owned(),
    }
}

impl TlsSettings {
    fn check(&self, target: &str) -> Result<Check, Error> {
        let roots = match &self.root_certs {
            Some(r) => Some(r.clone()),
            None => default_file(self.home.as_deref(), "root.crt").map(RootCerts::File),
        };
        if roots == Some(RootCerts::System)
            && !matches!(self.mode, SslMode::VerifyFull | SslMode::Disable)
        {
            return Err(tls_error(
                target,
                format!(
                    "sslrootcert=system may not be used with the weak sslmode \"{}\"",
                    self.mode
                ),
                "use sslmode=verify-full with sslrootcert=system",
            ));
        }
        Ok(match (self.mode, roots) {
            (SslMode::Disable, _) => Check::Nothing,
            (SslMode::Allow | SslMode::Prefer | SslMode::Require, None) => Check::Nothing,
            (SslMode::Allow | SslMode::Prefer | SslMode::Require | SslMode::VerifyCa, Some(r)) => {
                Check::Chain(r)
            }
            (SslMode::VerifyFull, Some(r)) => Check::ChainAndName(r),
            (SslMode::VerifyCa | SslMode::VerifyFull, None) => {
                let looked = self
                    .home
                    .as_ref()
                    .map(|h| h.join(".postgresql").join("root.crt").display().to_string())
                    .unwrap_or_else(|| "~/.postgresql/root.crt".to_owned());
                return Err(tls_error(
                    target,
                    format!(
                        "sslmode={} needs a root certificate, and {looked} does not exist",
                        self.mode
                    ),
                    "name the CA file with sslrootcert=<file> (or PGSSLROOTCERT), use \
                     sslrootcert=system with sslmode=verify-full, or use sslmode=require to \
                     encrypt without verifying",
                ));
            }
        })
    }

    /// The rustls configuration for these settings.
    pub(crate) fn client_config(&self, target: &str) -> Result<ClientConfig, Error> {
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let builder = ClientConfig::builder_with_provider(provider.clone())
            .with_safe_default_protocol_versions()
            .map_err(|e| {
                tls_error(
                    target,
                    format!("rustls: {e}"),
                    "this is a bug in tack; please report it",
                )
            })?;
        let verifier: Arc<dyn ServerCertVerifier> = match self.check(target)? {
            Check::Nothing => Arc::new(AcceptAnyCertificate(provider.clone())),
            Check::Chain(roots) => {
                Arc::new(libpq_verifier(target, &roots, provider.clone(), false)?)
            }
            Check::ChainAndName(roots) => {
                Arc::new(libpq_verifier(target, &roots, provider.clone(), true)?)
            }
        };
        let builder = builder
            .dangerous()
            .with_custom_certificate_verifier(verifier);

        let (cert, key) = match (&self.client_cert, &self.client_key) {
            (Some(c), Some(k)) => (Some(c.clone()), Some(k.clone())),
            (Some(c), None) => (
                Some(c.clone()),
                Some(
                    self.home
                        .as_ref()
                        .map(|h| h.join(".postgresql").join("postgresql.key"))
                        .unwrap_or_else(|| PathBuf::from("postgresql.key")),
                ),
            ),
            (None, Some(_)) => {
                return Err(tls_error(
                    target,
                    "sslkey is set but sslcert is not".to_owned(),
                    "set sslcert (PGSSLCERT) to the client certificate that goes with the key",
                ))
            }
            (None, None) => {
                let home = self.home.as_deref();
                match (
                    default_file(home, "postgresql.crt"),
                    default_file(home, "postgresql.key"),
                ) {
                    (Some(c), Some(k)) => (Some(c), Some(k)),
                    _ => (None, None),
                }
            }
        };
        match (cert, key) {
            (Some(cert), Some(key)) => {
                let certs = read_certs(target, &cert, "sslcert")?;
                let key = PrivateKeyDer::from_pem_file(&key).map_err(|e| {
                    tls_error(
                        target,
                        format!("could not read the client key {}: {e}", key.display()),
                        "check sslkey (PGSSLKEY): it must be a PEM private key",
                    )
                })?;
                builder.with_client_auth_cert(certs, key).map_err(|e| {
                    tls_error(
                        target,
                        format!("the client certificate and key do not work together: {e}"),
                        "check sslcert / sslkey",
                    )
                })
            }
            _ => Ok(builder.with_no_client_auth()),
        }
    }
}

fn read_certs(
    target: &str,
    path: &Path,
    setting: &str,
) -> Result<Vec<CertificateDer<'static>>, Error> {
    let hint = format!("check {setting}: it must name a PEM file of certificates");
    let certs = CertificateDer::pem_file_iter(path)
        .and_then(|iter| iter.collect::<Result<Vec<_>, _>>())
        .map_err(|e| {
            tls_error(
                target,
                format!("could not read {}: {e}", path.display()),
                &hint,
            )
        })?;
    if certs.is_empty() {
        return Err(tls_error(
            target,
            format!("{} holds no certificates", path.display()),
            &hint,
        ));
    }
    Ok(certs)
}

fn libpq_verifier(
    target: &str,
    roots: &RootCerts,
    provider: Arc<CryptoProvider>,
    check_name: bool,
) -> Result<LibpqVerifier, Error> {
    let mut store = RootCertStore::empty();
    let mut trusted = Vec::new();
    match roots {
        RootCerts::File(path) => {
            let certs = read_certs(target, path, "sslrootcert")?;
            trusted = certs.clone();
            let (_added, ignored) = store.add_parsable_certificates(certs);
            if store.is_empty() {
                return Err(tls_error(
                    target,
                    format!(
                        "none of the {ignored} certificates in {} could be used",
                        path.display()
                    ),
                    "check sslrootcert: it must name a PEM file of CA certificates",
                ));
            }
        }
        RootCerts::System => {
            let found = rustls_native_certs::load_native_certs();
            store.add_parsable_certificates(found.certs);
            if store.is_empty() {
                let errors: Vec<String> = found.errors.iter().map(|e| e.to_string()).collect();
                return Err(tls_error(
                    target,
                    format!(
                        "no trusted root certificates found in the system store{}",
                        if errors.is_empty() {
                            String::new()
                        } else {
                            format!(" ({})", errors.join("; "))
                        }
                    ),
                    "install the system CA certificates (e.g. the ca-certificates package), or \
                     name a CA file with sslrootcert=<file>",
                ));
            }
        }
    }
    let webpki = WebPkiServerVerifier::builder_with_provider(Arc::new(store), provider)
        .build()
        .map_err(|e| {
            tls_error(
                target,
                format!("could not build the certificate verifier: {e}"),
                "check sslrootcert",
            )
        })?;
    Ok(LibpqVerifier {
        webpki,
        trusted,
        check_name,
    })
}

/// `sslmode=require` without a root certificate: encrypt, accept any certificate (as libpq does).
/// Handshake signatures are still checked, so the session is bound to the presented key.
#[derive(Debug)]
struct AcceptAnyCertificate(Arc<CryptoProvider>);

impl ServerCertVerifier for AcceptAnyCertificate {
    fn verify_server_cert(
        &self,
        _end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        verify_tls12_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        verify_tls13_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.0.signature_verification_algorithms.supported_schemes()
    }
}

/// `verify-ca` (`check_name` false) and `verify-full`, as libpq decides them.
///
/// * A server certificate that is itself one of the `sslrootcert` certificates is trusted as it
///   is (OpenSSL trusts what is in its store, whatever its basic constraints say), once its
///   validity period is checked; webpki would refuse a CA certificate as a server's.
/// * Otherwise webpki checks the chain (and expiry).
/// * The name, under `verify-full`: the subject alternative names, else, for a certificate that
///   has none, its Common Name (libpq's rule; webpki never reads the Common Name).
#[derive(Debug)]
struct LibpqVerifier {
    webpki: Arc<WebPkiServerVerifier>,
    /// The certificates of the `sslrootcert` file (none for the system store).
    trusted: Vec<CertificateDer<'static>>,
    check_name: bool,
}

impl ServerCertVerifier for LibpqVerifier {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp_response: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        let pinned = self
            .trusted
            .iter()
            .any(|t| t.as_ref() == end_entity.as_ref());
        if pinned {
            check_validity(end_entity, now)?;
        } else {
            // webpki checks the chain (and expiry) before the name, so a name error means
            // everything else passed.
            match self.webpki.verify_server_cert(
                end_entity,
                intermediates,
                server_name,
                ocsp_response,
                now,
            ) {
                Ok(verified) => return Ok(verified),
                Err(rustls::Error::InvalidCertificate(
                    CertificateError::NotValidForName
                    | CertificateError::NotValidForNameContext { .. },
                )) => {}
                // A self-signed CA certificate that is not among the roots: what it lacks is a
                // trusted issuer, which is what the user needs to hear. (rustls passes webpki's
                // reason on only as an opaque error, so it is recognised by its name.)
                Err(rustls::Error::InvalidCertificate(CertificateError::Other(other)))
                    if format!("{other:?}").contains("CaUsedAsEndEntity")
                        && cert_facts(end_entity).is_ok_and(|f| f.self_signed) =>
                {
                    return Err(rustls::Error::InvalidCertificate(
                        CertificateError::UnknownIssuer,
                    ))
                }
                Err(other) => return Err(other),
            }
        }
        if self.check_name {
            check_name(end_entity, server_name)?;
        }
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.webpki.verify_tls12_signature(message, cert, dss)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.webpki.verify_tls13_signature(message, cert, dss)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.webpki.supported_verify_schemes()
    }
}

/// What libpq reads of a certificate besides its chain: the Common Name, whether it has subject
/// alternative names, and its validity period (seconds since the epoch).
struct CertFacts {
    common_name: Option<String>,
    has_alt_names: bool,
    /// Issued by its own subject.
    self_signed: bool,
    not_before: u64,
    not_after: u64,
}

fn cert_facts(cert: &CertificateDer<'_>) -> Result<CertFacts, rustls::Error> {
    use x509_cert::der::asn1::{PrintableStringRef, Utf8StringRef};
    use x509_cert::der::{oid::db::rfc4519, oid::db::rfc5280, Decode};
    let parsed = x509_cert::Certificate::from_der(cert.as_ref())
        .map_err(|_| rustls::Error::InvalidCertificate(CertificateError::BadEncoding))?;
    let tbs = &parsed.tbs_certificate;
    let common_name = tbs
        .subject
        .0
        .iter()
        .flat_map(|rdn| rdn.0.iter())
        .filter(|attr| attr.oid == rfc4519::CN)
        .find_map(|attr| {
            attr.value
                .decode_as::<Utf8StringRef<'_>>()
                .map(|s| s.as_str().to_owned())
                .or_else(|_| {
                    attr.value
                        .decode_as::<PrintableStringRef<'_>>()
                        .map(|s| s.as_str().to_owned())
                })
                .ok()
        });
    let has_alt_names = tbs
        .extensions
        .iter()
        .flatten()
        .any(|e| e.extn_id == rfc5280::ID_CE_SUBJECT_ALT_NAME);
    Ok(CertFacts {
        common_name,
        has_alt_names,
        self_signed: tbs.issuer == tbs.subject,
        not_before: tbs.validity.not_before.to_unix_duration().as_secs(),
        not_after: tbs.validity.not_after.to_unix_duration().as_secs(),
    })
}

fn check_validity(cert: &CertificateDer<'_>, now: UnixTime) -> Result<(), rustls::Error> {
    let facts = cert_facts(cert)?;
    let now = now.as_secs();
    if now < facts.not_before {
        return Err(rustls::Error::InvalidCertificate(
            CertificateError::NotValidYet,
        ));
    }
    if now > facts.not_after {
        return Err(rustls::Error::InvalidCertificate(CertificateError::Expired));
    }
    Ok(())
}

/// The host name check of `verify-full`, libpq's way.
fn check_name(
    cert: &CertificateDer<'_>,
    server_name: &ServerName<'_>,
) -> Result<(), rustls::Error> {
    let parsed = rustls::server::ParsedCertificate::try_from(cert)?;
    let by_alt_names = rustls::client::verify_server_name(&parsed, server_name);
    if by_alt_names.is_ok() {
        return Ok(());
    }
    let facts = cert_facts(cert)?;
    if facts.has_alt_names {
        // Names listed: the Common Name does not count (RFC 6125, and libpq).
        return by_alt_names;
    }
    let host = server_name.to_str();
    match &facts.common_name {
        Some(cn) if name_matches(cn, &host) => Ok(()),
        cn => Err(rustls::Error::InvalidCertificate(
            CertificateError::NotValidForNameContext {
                expected: server_name.to_owned(),
                presented: vec![match cn {
                    Some(cn) => {
                        format!("the Common Name {cn:?} (it has no subject alternative names)")
                    }
                    None => {
                        "no name at all (no subject alternative names, no Common Name)".to_owned()
                    }
                }],
            },
        )),
    }
}

/// A certificate name against the host connected to: case-insensitive, with a leading `*.`
/// matching one label, as libpq matches them.
fn name_matches(pattern: &str, host: &str) -> bool {
    let (pattern, host) = (pattern.to_ascii_lowercase(), host.to_ascii_lowercase());
    match pattern.strip_prefix("*.") {
        Some(rest) => host
            .split_once('.')
            .is_some_and(|(first, tail)| !first.is_empty() && tail == rest),
        None => pattern == host,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings(mode: SslMode, roots: Option<RootCerts>) -> TlsSettings {
        TlsSettings {
            mode,
            root_certs: roots,
            home: Some(PathBuf::from("/nonexistent-home-for-tack-tests")),
            ..TlsSettings::default()
        }
    }

    #[test]
    fn parses_modes() {
        for name in [
            "disable",
            "allow",
            "prefer",
            "require",
            "verify-ca",
            "verify-full",
        ] {
            assert_eq!(name.parse::<SslMode>().map(|m| m.as_str()), Ok(name));
        }
        assert!("bogus".parse::<SslMode>().is_err());
    }

    #[test]
    fn decides_what_to_check() {
        let file = Some(RootCerts::File(PathBuf::from("/ca.pem")));
        assert_eq!(
            settings(SslMode::Require, None).check("t").ok(),
            Some(Check::Nothing)
        );
        assert_eq!(
            settings(SslMode::Require, file.clone()).check("t").ok(),
            Some(Check::Chain(RootCerts::File(PathBuf::from("/ca.pem"))))
        );
        assert_eq!(
            settings(SslMode::VerifyFull, file).check("t").ok(),
            Some(Check::ChainAndName(RootCerts::File(PathBuf::from(
                "/ca.pem"
            ))))
        );
        assert!(settings(SslMode::VerifyCa, None).check("t").is_err());
        assert!(settings(SslMode::Require, Some(RootCerts::System))
            .check("t")
            .is_err());
        assert_eq!(
            settings(SslMode::VerifyFull, Some(RootCerts::System))
                .check("t")
                .ok(),
            Some(Check::ChainAndName(RootCerts::System))
        );
    }

    #[test]
    fn names_match_as_libpq_matches_them() {
        assert!(name_matches("db.example.com", "DB.example.com"));
        assert!(name_matches("*.example.com", "db.example.com"));
        assert!(!name_matches("*.example.com", "a.db.example.com"));
        assert!(!name_matches("*.example.com", "example.com"));
        assert!(!name_matches("localhost", "127.0.0.1"));
    }

    #[test]
    fn builds_configs() {
        assert!(settings(SslMode::Require, None).client_config("t").is_ok());
        let missing = settings(
            SslMode::VerifyFull,
            Some(RootCerts::File(PathBuf::from("/nonexistent/ca.pem"))),
        )
        .client_config("postgres://u:***@h/db");
        let message = missing.err().map(|e| e.to_string()).unwrap_or_default();
        assert!(message.contains("/nonexistent/ca.pem"), "{message}");
        assert!(message.contains("postgres://u:***@h/db"), "{message}");
    }
}
