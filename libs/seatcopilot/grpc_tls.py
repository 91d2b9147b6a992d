"""Mutual TLS on the services' gRPC: each server presents its certificate and accepts only clients whose
certificate the same CA signed; a client presents its own. The files sit in one folder, as a Kubernetes
Secret mounts them: ca.crt, tls.crt, tls.key.

Kubernetes' gRPC probes cannot present a certificate, so a server with TLS can also answer gRPC health alone,
in plaintext, on a second port (GRPC_HEALTH_PORT); the stage's own services are only on the TLS port.
`make_dev_ca` writes a throw-away CA and one certificate for development and tests (never for production)."""

from __future__ import annotations

import datetime
import ipaddress
from dataclasses import dataclass
from pathlib import Path

import grpc

from seatcopilot.config import ConfigError

CA_FILE, CERT_FILE, KEY_FILE = "ca.crt", "tls.crt", "tls.key"


@dataclass(frozen=True)
class TlsFiles:
    ca: bytes
    cert: bytes
    key: bytes

    @classmethod
    def load(cls, folder: Path) -> TlsFiles:
        missing = [name for name in (CA_FILE, CERT_FILE, KEY_FILE) if not (folder / name).is_file()]
        if missing:
            raise ConfigError(f"GRPC_TLS_DIR {folder} lacks {', '.join(missing)}")
        return cls(*((folder / name).read_bytes() for name in (CA_FILE, CERT_FILE, KEY_FILE)))


def server_credentials(files: TlsFiles) -> grpc.ServerCredentials:
    return grpc.ssl_server_credentials([(files.key, files.cert)], root_certificates=files.ca,
                                       require_client_auth=True)


def channel_credentials(files: TlsFiles) -> grpc.ChannelCredentials:
    return grpc.ssl_channel_credentials(files.ca, files.key, files.cert)


def channel(target: str, tls_dir: Path | None = None) -> grpc.aio.Channel:
    """A client channel: mutual TLS with the folder's files, plaintext without one (development)."""
    if tls_dir is None:
        return grpc.aio.insecure_channel(target)
    return grpc.aio.secure_channel(target, channel_credentials(TlsFiles.load(tls_dir)))


def make_dev_ca(out: Path, hosts: tuple[str, ...] = ("localhost", "127.0.0.1"), days: int = 30) -> Path:
    """A throw-away CA and one server-and-client certificate for `hosts`, in `out` (development and tests)."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

    now = datetime.datetime.now(datetime.UTC)

    def name(common: str) -> x509.Name:
        return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common)])

    def pem_key(key: ec.EllipticCurvePrivateKey) -> bytes:
        return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                 serialization.NoEncryption())

    ca_key, leaf_key = ec.generate_private_key(ec.SECP256R1()), ec.generate_private_key(ec.SECP256R1())
    ca = (x509.CertificateBuilder().subject_name(name("seatcopilot dev CA")).issuer_name(name("seatcopilot dev CA"))
          .public_key(ca_key.public_key()).serial_number(x509.random_serial_number())
          .not_valid_before(now).not_valid_after(now + datetime.timedelta(days=days))
          .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
          .sign(ca_key, hashes.SHA256()))
    names: list[x509.GeneralName] = []
    for host in hosts:
        try:
            names.append(x509.IPAddress(ipaddress.ip_address(host)))
        except ValueError:
            names.append(x509.DNSName(host))
    leaf = (x509.CertificateBuilder().subject_name(name(hosts[0])).issuer_name(ca.subject)
            .public_key(leaf_key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now).not_valid_after(now + datetime.timedelta(days=days))
            .add_extension(x509.SubjectAlternativeName(names), critical=False)
            .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH, ExtendedKeyUsageOID.CLIENT_AUTH]),
                           critical=False)
            .sign(ca_key, hashes.SHA256()))
    out.mkdir(parents=True, exist_ok=True)
    (out / CA_FILE).write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    (out / CERT_FILE).write_bytes(leaf.public_bytes(serialization.Encoding.PEM))
    key_file = out / KEY_FILE
    key_file.write_bytes(pem_key(leaf_key))
    key_file.chmod(0o600)
    return out
