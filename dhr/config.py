"""Configuration: ``config.yaml`` (contract.md section 1a) validated with pydantic.

Every command reads it through :func:`load_config`. Unknown keys and wrong types are errors that
name the key, the problem and the file. ``DHR_*`` environment variables override secrets and URLs
so that a production deployment keeps them out of the file.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Literal
from urllib.parse import urlsplit

import yaml
from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationError, field_validator

DEFAULT_CONFIG = "config.yaml"


class ConfigError(Exception):
    """A configuration problem, reported to the user as one line (exit code 2)."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class StorageConfig(_Strict):
    data_dir: Path = Path("./data")


class ElasticsearchConfig(_Strict):
    url: str | list[str] = "http://127.0.0.1:9200"
    index_prefix: str = Field(default="dhr", pattern=r"^[a-z0-9][a-z0-9_-]*$")
    shards: int = Field(default=1, ge=1, le=64)
    replicas: int = Field(default=0, ge=0, le=10)
    api_key: str | None = None
    username: str | None = None
    password: str | None = None
    ca_certs: Path | None = None
    verify_certs: bool = True
    request_timeout: float = Field(default=30.0, gt=0)

    @property
    def urls(self) -> list[str]:
        return [self.url] if isinstance(self.url, str) else list(self.url)


class SearchConfig(_Strict):
    backend: Literal["sqlite", "elasticsearch"] = "sqlite"
    elasticsearch: ElasticsearchConfig = Field(default_factory=ElasticsearchConfig)


class CrawlerConfig(_Strict):
    user_agent: str = "dhr-repository (+https://example.org/contact)"
    allow_private_hosts: bool = False
    download_delay: float = Field(default=1.0, ge=0)
    concurrent_requests_per_domain: int = Field(default=2, ge=1, le=2)
    autothrottle: bool = True
    max_file_size_mb: int = Field(default=100, ge=1)
    timeout: float = Field(default=60.0, gt=0)
    retries: int = Field(default=3, ge=0, le=10)
    # Static host name -> IP address map (like curl --resolve), for local fixture sites and demos.
    hosts: dict[str, str] = Field(default_factory=dict)

    @field_validator("hosts")
    @classmethod
    def _ip_addresses(cls, v: dict[str, str]) -> dict[str, str]:
        import ipaddress

        for host, ip in v.items():
            try:
                ipaddress.ip_address(ip)
            except ValueError:
                raise ValueError(f"hosts.{host}: not an IP address: {ip!r}") from None
        return {h.lower(): ip for h, ip in v.items()}


class SourceConfig(_Strict):
    name: str = Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")
    kind: Literal["homeoffice_library", "site"]
    start_urls: list[str] = Field(min_length=1)
    area: str | None = None
    allowed_domains: list[str] | None = None
    max_depth: int = Field(default=3, ge=0, le=10)
    should_have_results: bool = True
    enabled: bool = True
    spider: str | None = None  # a per-site spider class name, where the generic rules fail
    selectors: dict[str, str] | None = None  # per-source CSS/XPath selectors
    page_size: int | None = Field(default=None, ge=1)
    max_pages: int | None = Field(default=None, ge=1)

    @field_validator("start_urls")
    @classmethod
    def _http_urls(cls, v: list[str]) -> list[str]:
        for url in v:
            if not url.startswith(("http://", "https://")):
                raise ValueError(f"not an http(s) URL: {url!r}")
        return v


class ServerConfig(_Strict):
    host: str = "127.0.0.1"
    port: int = Field(default=8000, ge=0, le=65535)
    rate_limit_per_minute: int | None = Field(default=None, ge=1)
    # Where the search endpoints' rate-limit counts live (a ``limits`` storage URI):
    # memory:// (one process) or e.g. redis://host:6379 shared by several app servers.
    rate_limit_storage: str = "memory://"
    threads: int = Field(default=8, ge=1, le=64)
    # The address the public reaches the site at (e.g. https://dhr.example.org), used where an
    # absolute URL is needed (the OpenAPI description, export link columns); never taken from a
    # request's Host header. Unset: those URLs are relative to the site.
    public_url: str | None = None
    # Expensive searches (exports, short prefixes, very long queries) running at once per
    # process; one more gets a 503 (search_api/admission.py).
    max_expensive_requests: int = Field(default=2, ge=1, le=64)

    @field_validator("rate_limit_storage")
    @classmethod
    def _rate_limit_storage(cls, v: str) -> str:
        scheme = v.split("://", 1)[0] if "://" in v else ""
        if scheme not in ("memory", "redis", "rediss", "redis+cluster", "redis+sentinel",
                          "memcached", "mongodb", "mongodb+srv", "valkey", "valkeys"):
            raise ValueError(f"not a rate-limit storage URI (memory://, redis://host:port, ...): "
                             f"{v!r}")
        return v

    @field_validator("public_url")
    @classmethod
    def _public_url(cls, v: str | None) -> str | None:
        if v is None:
            return v
        parts = urlsplit(v)
        if parts.scheme not in ("http", "https") or not parts.hostname or parts.query \
                or parts.fragment or parts.username or parts.password:
            raise ValueError(f"not a plain http(s) base URL: {v!r}")
        return v.rstrip("/")


class TrackerConfig(_Strict):
    """The accountability tracker (accountability.md): its database and what is public."""

    database_url: str | None = None  # default: sqlite:///<data_dir>/tracker.db
    public_status: bool = True
    # Refused requests audited per client address per minute and process; more are counted
    # and summarised in one entry (accountability/refusal_budget.py).
    refusal_audit_per_minute: int = Field(default=30, ge=1)


class SmtpConfig(_Strict):
    """The SMTP server notifications are handed to (``DHR_SMTP_*`` override; never logged)."""

    host: str | None = None  # unset: `dhr notify` has nowhere to send and says so
    port: int = Field(default=587, ge=1, le=65535)
    starttls: bool = True  # upgrade the connection with STARTTLS (certificate verified)
    # PEM file of the CA certificates to verify the server with instead of the system's (a
    # relay with a certificate from a private CA); unset: the system's
    ca_file: str | None = None
    username: str | None = None
    password: SecretStr | None = None  # shown as '**********' wherever the config is printed
    timeout: float = Field(default=30.0, gt=0)


class NotifyConfig(_Strict):
    """E-mail notifications of new recommendations (``dhr notify``, also run by nightly)."""

    smtp: SmtpConfig = Field(default_factory=SmtpConfig)
    from_address: str | None = None  # e.g. "DHR repository <no-reply@dhr.example.org>"
    # Links in the messages start with this (default: server.public_url).
    base_url: str | None = None
    max_attempts: int = Field(default=6, ge=1, le=100)
    retry_after_s: float = Field(default=300.0, ge=0)  # first retry; doubles each time
    max_retry_after_s: float = Field(default=6 * 3600.0, ge=0)

    @field_validator("base_url")
    @classmethod
    def _base_url(cls, v: str | None) -> str | None:
        return ServerConfig._public_url(v)


class Config(_Strict):
    storage: StorageConfig = Field(default_factory=StorageConfig)
    search: SearchConfig = Field(default_factory=SearchConfig)
    crawler: CrawlerConfig = Field(default_factory=CrawlerConfig)
    sources: list[SourceConfig] = Field(default_factory=list)
    server: ServerConfig = Field(default_factory=ServerConfig)
    tracker: TrackerConfig = Field(default_factory=TrackerConfig)
    notify: NotifyConfig = Field(default_factory=NotifyConfig)
    # Where the configuration came from (not a key of the file).
    path: Path | None = Field(default=None, exclude=True)

    @field_validator("sources")
    @classmethod
    def _unique_names(cls, v: list[SourceConfig]) -> list[SourceConfig]:
        names = [s.name for s in v]
        dup = {n for n in names if names.count(n) > 1}
        if dup:
            raise ValueError(f"duplicate source name(s): {', '.join(sorted(dup))}")
        return v

    @property
    def data_dir(self) -> Path:
        return self.storage.data_dir

    @property
    def tracker_database_url(self) -> str:
        return self.tracker.database_url or f"sqlite:///{self.data_dir / 'tracker.db'}"


def _format_error(err: ValidationError, path: Path) -> str:
    first = err.errors()[0]
    key = ".".join(str(p) for p in first["loc"]) or "(top level)"
    if first["type"] == "extra_forbidden":
        problem = "unknown key"
    else:
        problem = first["msg"]
        if "input" in first and not isinstance(first["input"], (dict, list)):
            problem += f" (got {first['input']!r})"
    more = f" (and {len(err.errors()) - 1} more problem(s))" if len(err.errors()) > 1 else ""
    return f"{path}: {key}: {problem}{more}"


def _apply_env(raw: dict, env: dict[str, str]) -> dict:
    def put(keys: tuple[str, ...], value: object) -> None:
        node = raw
        for k in keys[:-1]:
            if node.get(k) is None:
                node[k] = {}
            node = node[k]
            if not isinstance(node, dict):
                return  # a wrong type in the file; validation reports it
        node[keys[-1]] = value

    mapping = {
        "DHR_DATA_DIR": ("storage", "data_dir"),
        "DHR_SEARCH_BACKEND": ("search", "backend"),
        "DHR_ELASTICSEARCH_URL": ("search", "elasticsearch", "url"),
        "DHR_ELASTICSEARCH_INDEX_PREFIX": ("search", "elasticsearch", "index_prefix"),
        "DHR_ELASTICSEARCH_API_KEY": ("search", "elasticsearch", "api_key"),
        "DHR_ELASTICSEARCH_USERNAME": ("search", "elasticsearch", "username"),
        "DHR_ELASTICSEARCH_PASSWORD": ("search", "elasticsearch", "password"),
        "DHR_ELASTICSEARCH_CA_CERTS": ("search", "elasticsearch", "ca_certs"),
        "DHR_DATABASE_URL": ("tracker", "database_url"),
        "DHR_SMTP_HOST": ("notify", "smtp", "host"),
        "DHR_SMTP_USERNAME": ("notify", "smtp", "username"),
        "DHR_SMTP_PASSWORD": ("notify", "smtp", "password"),
    }
    for var, keys in mapping.items():
        value = env.get(var)
        if value:
            if var == "DHR_ELASTICSEARCH_URL" and "," in value:
                put(keys, [u.strip() for u in value.split(",") if u.strip()])
            else:
                put(keys, value)
    return raw


def config_from_dict(raw: dict, path: Path | str = "<config>",
                     env: dict[str, str] | None = None) -> Config:
    path = Path(path)
    if not isinstance(raw, dict):
        raise ConfigError(f"{path}: the file must hold a mapping of keys (storage, search, ...)")
    raw = _apply_env(raw, dict(os.environ) if env is None else env)
    try:
        cfg = Config.model_validate(raw)
    except ValidationError as err:
        raise ConfigError(_format_error(err, path)) from None
    cfg.path = path
    base = path.parent if path.name != "<config>" else Path.cwd()
    if not cfg.storage.data_dir.is_absolute():
        cfg.storage.data_dir = (base / cfg.storage.data_dir).resolve()
    return cfg


def resolve_config_path(path: str | Path | None) -> Path:
    return Path(path or os.environ.get("DHR_CONFIG") or DEFAULT_CONFIG)


def load_config(path: str | Path | None = None, env: dict[str, str] | None = None) -> Config:
    """Read and validate a config file. A missing default file gives the built-in defaults."""
    explicit = path is not None or "DHR_CONFIG" in (os.environ if env is None else env)
    p = resolve_config_path(path)
    if not p.exists():
        if explicit:
            raise ConfigError(f"{p}: configuration file not found")
        return config_from_dict({}, p, env)
    try:
        raw = yaml.safe_load(p.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        where = f" at line {mark.line + 1}" if mark else ""
        raise ConfigError(f"{p}: not valid YAML{where}: {getattr(err, 'problem', err)}") from None
    except OSError as err:
        raise ConfigError(f"{p}: cannot read: {err.strerror}") from None
    return config_from_dict(raw, p, env)
