# shellcheck shell=bash
# Set-up and run helpers behind ./mlc. Every command sets up what it needs itself:
# PostgreSQL from Debian, a virtualenv with Odoo's and our Python requirements,
# an odoo.conf and the encryption key under .local/, and a fresh database.

ODOO_SRC="${ODOO_SRC:-/opt/odoo-19.0}"
LOCAL_DIR="${MLC_LOCAL_DIR:-$REPO/.local}"
VENV="${MLC_VENV:-$REPO/.venv}"
PYTHON_BIN="${MLC_PYTHON:-python3}"
DB_HOST="${MLC_DB_HOST:-localhost}"
DB_PORT="${MLC_DB_PORT:-5432}"
DB_USER="${MLC_DB_USER:-odoo}"
DB_PASSWORD="${MLC_DB_PASSWORD:-odoo}"
ADDONS="ml_connector,ml_connector_jaggaer,ml_connector_sps,ml_connector_jde,ml_connector_fusion"
JAGGAER_SIM_PORT="${MLC_JAGGAER_SIM_PORT:-8071}"
SPS_SIM_PORT="${MLC_SPS_SIM_PORT:-8072}"
JDE_SIM_PORT="${MLC_JDE_SIM_PORT:-8073}"
JAGGAER_JDE_SIM_PORT="${MLC_JAGGAER_JDE_SIM_PORT:-8074}"
FUSION_SIM_PORT="${MLC_FUSION_SIM_PORT:-8075}"
FUSION_JAGGAER_SIM_PORT="${MLC_FUSION_JAGGAER_SIM_PORT:-8076}"

log() { printf '\033[1m[mlc]\033[0m %s\n' "$*" >&2; }
die() { printf '\033[1;31m[mlc] %s\033[0m\n' "$*" >&2; exit "${2:-1}"; }

as_root() {
  if [ "$(id -u)" = 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else
    die "need root (or sudo) to run: $*"; fi
}

as_postgres() {
  if [ "$(id -u)" = 0 ]; then su postgres -c "$*"; else sudo -u postgres sh -c "$*"; fi
}

check_odoo() {
  if [ ! -f "$ODOO_SRC/odoo-bin" ] || [ ! -f "$ODOO_SRC/odoo/release.py" ]; then
    cat >&2 <<EOF
[mlc] Odoo 19.0 source not found at ODOO_SRC=$ODOO_SRC

ml-connector runs inside Odoo 19.0 Community, which is not on PyPI. Get the source once,
outside this project, then re-run this command:

    git clone --depth 1 --branch 19.0 https://github.com/odoo/odoo.git /opt/odoo-19.0

or unpack an archive of the 19.0 branch into /opt/odoo-19.0, or point ODOO_SRC at an
existing Odoo 19.0 checkout:  ODOO_SRC=/path/to/odoo ./mlc test
EOF
    exit 2
  fi
  local version
  version="$(grep -E "^version_info = " "$ODOO_SRC/odoo/release.py" | head -1)"
  case "$version" in
    *"(19, 0,"*) ;;
    *) die "ODOO_SRC=$ODOO_SRC is not Odoo 19.0 ($version)" 2 ;;
  esac
}

apt_install() {
  # apt_install pkg... : install the Debian packages that are missing.
  local missing=()
  for p in "$@"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
  [ ${#missing[@]} -eq 0 ] && return 0
  log "installing Debian packages: ${missing[*]}"
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${missing[@]}" >/dev/null 2>&1 || {
    as_root apt-get update -q >/dev/null 2>&1 || true
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${missing[@]}" >/dev/null
  }
}

ensure_postgres() {
  if [ -n "${MLC_DB_HOST:-}" ] && [ "$DB_HOST" != localhost ] && [ "$DB_HOST" != 127.0.0.1 ]; then
    log "using the PostgreSQL server at $DB_HOST:$DB_PORT"
    return 0
  fi
  apt_install postgresql postgresql-client libpq-dev
  local version
  version="$(ls /usr/lib/postgresql | sort -V | tail -1)"
  if ! pg_lsclusters -h 2>/dev/null | grep -q .; then
    as_root pg_createcluster "$version" main >/dev/null
  fi
  local cluster_version cluster_name status
  read -r cluster_version cluster_name _ status _ < <(pg_lsclusters -h | head -1)
  if [ "$status" != online ]; then
    log "starting PostgreSQL $cluster_version/$cluster_name"
    as_root pg_ctlcluster "$cluster_version" "$cluster_name" start
  fi
  for _ in $(seq 1 30); do pg_isready -q -h "$DB_HOST" -p "$DB_PORT" && break; sleep 1; done
  pg_isready -q -h "$DB_HOST" -p "$DB_PORT" || die "PostgreSQL is not accepting connections"
  if ! as_postgres "psql -tAc \"SELECT 1 FROM pg_roles WHERE rolname='$DB_USER'\"" | grep -q 1; then
    log "creating PostgreSQL role $DB_USER"
    as_postgres "psql -qc \"CREATE ROLE $DB_USER LOGIN CREATEDB PASSWORD '$DB_PASSWORD'\""
  fi
}

ensure_venv() {
  mkdir -p "$LOCAL_DIR"
  # Odoo pins cbor2 5.4.2 for Python 3.11, which does not build: 5.6.2 works. python-ldap
  # is only used by auth_ldap and needs the OpenLDAP headers: left out.
  sed -e 's/^cbor2==5\.4\.2.*/cbor2==5.6.2/' -e '/^python-ldap/d' \
    "$ODOO_SRC/requirements.txt" > "$LOCAL_DIR/odoo-requirements.txt"
  local stamp
  stamp="$( (cat "$LOCAL_DIR/odoo-requirements.txt" "$REPO/requirements.txt"; "$PYTHON_BIN" --version) | sha256sum | cut -c1-16)"
  if [ -x "$VENV/bin/python" ] && [ "$(cat "$VENV/.mlc-stamp" 2>/dev/null)" = "$stamp" ]; then
    return 0
  fi
  if [ ! -x "$VENV/bin/python" ]; then
    log "creating virtualenv $VENV"
    "$PYTHON_BIN" -m venv "$VENV"
  fi
  log "installing Python requirements (Odoo's and ours)"
  "$VENV/bin/pip" install -q --disable-pip-version-check \
    -r "$LOCAL_DIR/odoo-requirements.txt" -r "$REPO/requirements.txt" 2>&1 \
    | grep -v "^WARNING: Location" || true
  "$VENV/bin/python" -c "import psycopg2, cryptography, rapidfuzz, requests, werkzeug, pytest" \
    || die "Python requirements did not install"
  echo "$stamp" > "$VENV/.mlc-stamp"
}

ensure_key() {
  # The Fernet key that encrypts connection credentials lives outside the database:
  # ML_CONNECTOR_KEY wins, else .local/ml_connector.key (created once).
  if [ -n "${ML_CONNECTOR_KEY:-}" ]; then KEY="$ML_CONNECTOR_KEY"; return 0; fi
  if [ ! -s "$LOCAL_DIR/ml_connector.key" ]; then
    (umask 077; "$VENV/bin/python" -c \
      "from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())" \
      > "$LOCAL_DIR/ml_connector.key")
  fi
  KEY="$(cat "$LOCAL_DIR/ml_connector.key")"
}

write_conf() {
  # write_conf NAME DB HTTP_PORT [extra lines...]
  local name="$1" db="$2" port="$3"; shift 3
  mkdir -p "$LOCAL_DIR/data"
  ensure_key
  (umask 077; {
    echo "[options]"
    echo "db_host = $DB_HOST"
    echo "db_port = $DB_PORT"
    echo "db_user = $DB_USER"
    echo "db_password = $DB_PASSWORD"
    echo "db_name = $db"
    echo "dbfilter = ^$db\$"
    echo "list_db = False"
    echo "addons_path = $ODOO_SRC/addons,$ODOO_SRC/odoo/addons,$REPO"
    echo "data_dir = $LOCAL_DIR/data"
    echo "http_port = $port"
    echo "http_interface = ${MLC_HTTP_INTERFACE:-127.0.0.1}"
    echo "ml_connector_key = $KEY"
    for line in "$@"; do echo "$line"; done
  } > "$LOCAL_DIR/$name.conf")
  CONF="$LOCAL_DIR/$name.conf"
}

odoo_bin() {
  PYTHONPATH="$ODOO_SRC:$REPO" "$VENV/bin/python" "$ODOO_SRC/odoo-bin" "$@"
}

fresh_db() {
  # fresh_db CONF DB [odoo-bin options...]: drop DB and its filestore, install the add-ons.
  local conf="$1" db="$2"; shift 2
  # --force ends sessions left by an interrupted run (PostgreSQL 13+); a failed drop must stop here
  PGPASSWORD="$DB_PASSWORD" dropdb --if-exists --force -h "$DB_HOST" -p "$DB_PORT" -U "$DB_USER" "$db" \
    || die "cannot drop database $db"
  rm -rf "$LOCAL_DIR/data/filestore/$db"
  log "creating database $db with $ADDONS"
  local started=$SECONDS
  odoo_bin -c "$conf" -d "$db" -i "$ADDONS" --stop-after-init --log-level=warn "$@" \
    || die "installing the add-ons into $db failed"
  log "database $db ready in $((SECONDS - started)) s"
}

mlc_setup() {
  check_odoo
  ensure_postgres
  ensure_venv
  ensure_key
  log "set-up done: Odoo $ODOO_SRC, virtualenv $VENV"
}

wait_port() {
  local port="$1" what="$2"
  for _ in $(seq 1 50); do
    if "$VENV/bin/python" -c "import socket,sys; s=socket.socket(); s.settimeout(0.2); sys.exit(s.connect_ex(('127.0.0.1', $port)))"; then
      return 0
    fi
    sleep 0.2
  done
  die "$what did not start on port $port"
}

mlc_demo() {
  mlc_setup
  local db="${MLC_DEMO_DB:-mlc_demo}"
  write_conf demo "$db" "${MLC_HTTP_PORT:-8069}" "max_cron_threads = 2" "log_level = info"
  log "starting simulators: JAGGAER on 127.0.0.1:$JAGGAER_SIM_PORT, SPS on 127.0.0.1:$SPS_SIM_PORT,"
  log "  JD Edwards AIS on 127.0.0.1:$JDE_SIM_PORT and its JAGGAER tenant on 127.0.0.1:$JAGGAER_JDE_SIM_PORT,"
  log "  Oracle Fusion on 127.0.0.1:$FUSION_SIM_PORT and its JAGGAER tenant on 127.0.0.1:$FUSION_JAGGAER_SIM_PORT"
  PYTHONPATH="$REPO" "$VENV/bin/python" -m tests.simulators.serve --demo \
    --jaggaer-port "$JAGGAER_SIM_PORT" --sps-port "$SPS_SIM_PORT" \
    --jde-port "$JDE_SIM_PORT" --jaggaer-jde-port "$JAGGAER_JDE_SIM_PORT" \
    --fusion-port "$FUSION_SIM_PORT" --fusion-jaggaer-port "$FUSION_JAGGAER_SIM_PORT" \
    > "$LOCAL_DIR/simulators.log" 2>&1 &
  local sim_pid=$!
  trap 'kill $sim_pid 2>/dev/null || true' EXIT INT TERM
  wait_port "$JAGGAER_SIM_PORT" "JAGGAER simulator"
  wait_port "$SPS_SIM_PORT" "SPS simulator"
  wait_port "$JDE_SIM_PORT" "JD Edwards AIS simulator"
  wait_port "$JAGGAER_JDE_SIM_PORT" "JAGGAER simulator of the JD Edwards demo"
  wait_port "$FUSION_SIM_PORT" "Oracle Fusion simulator"
  wait_port "$FUSION_JAGGAER_SIM_PORT" "JAGGAER simulator of the Fusion demo"
  fresh_db "$CONF" "$db" --with-demo
  log "Odoo at http://localhost:${MLC_HTTP_PORT:-8069}  (login admin / password admin)"
  log "menu Connectors > Audit lines shows the records moved by the first cron run"
  odoo_bin -c "$CONF" -d "$db"
}

mlc_test() {
  mlc_setup
  # Browser tours need Debian's chromium and the websocket-client package.
  apt_install chromium
  local db="${MLC_TEST_DB:-mlc_test}"
  write_conf test "$db" 0 "max_cron_threads = 0" "log_level = warn"
  fresh_db "$CONF" "$db"
  local paths=("$@")
  [ ${#paths[@]} -eq 0 ] && paths=(ml_connector ml_connector_jaggaer ml_connector_sps ml_connector_jde ml_connector_fusion tests)
  log "running tests: ${paths[*]}"
  local started=$SECONDS rc=0
  (cd "$REPO" && PYTHONPATH="$ODOO_SRC:$REPO" "$VENV/bin/python" -m pytest -p no:cacheprovider \
    --odoo-config="$CONF" --odoo-log-level=warn --odoo-http -q "${paths[@]}") || rc=$?
  log "tests finished in $((SECONDS - started)) s with exit code $rc"
  if [ "$rc" = 5 ]; then die "no tests were collected"; fi
  return "$rc"
}

mlc_bench() {
  mlc_setup
  local db="${MLC_BENCH_DB:-mlc_bench}"
  write_conf bench "$db" 0 "max_cron_threads = 0" "log_level = warn"
  fresh_db "$CONF" "$db"
  (cd "$REPO" && PYTHONPATH="$ODOO_SRC:$REPO" "$VENV/bin/python" -m tests.bench --config "$CONF" "$@")
}

mlc_proof() {
  mlc_setup
  local db="${MLC_PROOF_DB:-mlc_proof}"
  write_conf proof "$db" 0 "max_cron_threads = 0" "log_level = warn"
  fresh_db "$CONF" "$db"
  (cd "$REPO" && PYTHONPATH="$ODOO_SRC:$REPO" "$VENV/bin/python" -m tests.proof --config "$CONF" \
    --odoo-src "$ODOO_SRC" "$@")
}

mlc_lint() {
  mlc_setup
  (cd "$REPO" && "$VENV/bin/ruff" check . && "$VENV/bin/ruff" format --check . \
    && PYTHONPATH="$ODOO_SRC" "$VENV/bin/pylint" --rcfile=.pylintrc ml_connector ml_connector_jaggaer ml_connector_sps \
      ml_connector_jde ml_connector_fusion)
}
