#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# gen_certificates.sh [-f] [DIR] - make a DAOS certificate authority and the admin,
# agent and server certificates it signs, under DIR/daosCA (DIR defaults to the current
# directory):
#
#   DIR/daosCA/private/daosCA.key   CA key (keep it offline)
#   DIR/daosCA/certs/daosCA.crt     CA certificate (every node)
#   DIR/daosCA/certs/admin.{crt,key}   dmg          (CN=admin)
#   DIR/daosCA/certs/agent.{crt,key}   daos_agent   (CN=agent, signs credentials)
#   DIR/daosCA/certs/server.{crt,key}  daos_server  (CN=server)
#   DIR/daosCA/certs/clients/        agent.crt and admin.crt, for client_cert_dir
#
# RSA 3072-bit keys, SHA-512 signatures, 1095 days of validity, O=DAOS, CN=role,
# CA:FALSE for the leaf certificates. Keys are mode 0400 and certificates 0644. As root,
# server files go to user daos_server and agent files to daos_agent when those exist.
# An existing CA is never overwritten unless -f is given.
set -euo pipefail

DAYS=1095
BITS=3072
FORCE=0

usage() {
	echo "usage: $0 [-f] [DIR]" >&2
	echo "  -f  replace an existing CA and certificates in DIR/daosCA" >&2
}

while getopts "fh" opt; do
	case "$opt" in
	f) FORCE=1 ;;
	h) usage; exit 0 ;;
	*) usage; exit 2 ;;
	esac
done
shift $((OPTIND - 1))
if [ $# -gt 1 ]; then
	usage
	exit 2
fi

DIR="${1:-.}"
CA_HOME="$DIR/daosCA"
PRIVATE="$CA_HOME/private"
CERTS="$CA_HOME/certs"
CLIENTS="$CERTS/clients"

command -v openssl > /dev/null || { echo "error: openssl not found in PATH" >&2; exit 1; }

if [ -e "$PRIVATE/daosCA.key" ] || [ -e "$CERTS/daosCA.crt" ]; then
	if [ "$FORCE" -ne 1 ]; then
		echo "error: a CA already exists in $CA_HOME; refusing to overwrite it" >&2
		echo "       (run with -f to replace it and every certificate it signed)" >&2
		exit 1
	fi
	echo "Replacing the existing CA in $CA_HOME (-f)"
	rm -f "$PRIVATE"/daosCA.key "$CERTS"/*.crt "$CERTS"/*.key "$CERTS"/*.csr \
		"$CLIENTS"/*.crt "$CA_HOME"/*.cnf "$CA_HOME"/index.txt* "$CA_HOME"/serial*
fi

mkdir -p "$PRIVATE" "$CLIENTS"
chmod 0700 "$PRIVATE"
chmod 0755 "$CERTS"
chmod 0750 "$CLIENTS"

# Files of the CA's own bookkeeping for `openssl ca`.
: > "$CA_HOME/index.txt"
echo 01 > "$CA_HOME/serial.txt"

cat > "$CA_HOME/ca.cnf" << CNF
[ ca ]
default_ca = CA_daos

[ CA_daos ]
dir = $CA_HOME
certs = \$dir/certs
database = \$dir/index.txt
serial = \$dir/serial.txt
new_certs_dir = \$dir/certs
default_md = sha512
default_days = $DAYS
policy = policy_any
copy_extensions = none
unique_subject = no

[ policy_any ]
organizationName = supplied
commonName = supplied

[ req ]
default_bits = $BITS
default_md = sha512
prompt = no
distinguished_name = ca_dn
x509_extensions = ca_ext

[ ca_dn ]
O = DAOS
CN = DAOS CA

[ ca_ext ]
basicConstraints = critical, CA:TRUE
keyUsage = critical, keyCertSign, cRLSign, digitalSignature
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always, issuer:always

[ leaf_ext ]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature, keyEncipherment
extendedKeyUsage = serverAuth, clientAuth
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid, issuer
CNF

echo "Generating the CA key and certificate in $CA_HOME"
openssl genrsa -out "$PRIVATE/daosCA.key" "$BITS" 2> /dev/null
chmod 0400 "$PRIVATE/daosCA.key"
openssl req -new -x509 -config "$CA_HOME/ca.cnf" -key "$PRIVATE/daosCA.key" \
	-sha512 -days "$DAYS" -out "$CERTS/daosCA.crt"
chmod 0644 "$CERTS/daosCA.crt"

# gen_leaf ROLE: key, request config, request and CA-signed certificate for ROLE.
gen_leaf() {
	local role="$1"
	local cnf="$CA_HOME/$role.cnf"

	cat > "$cnf" << CNF
[ req ]
default_bits = $BITS
default_md = sha512
prompt = no
distinguished_name = dn
req_extensions = ext

[ dn ]
O = DAOS
CN = $role

[ ext ]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature, keyEncipherment
extendedKeyUsage = serverAuth, clientAuth
subjectKeyIdentifier = hash
CNF
	echo "Generating the $role key and certificate"
	openssl genrsa -out "$CERTS/$role.key" "$BITS" 2> /dev/null
	chmod 0400 "$CERTS/$role.key"
	openssl req -new -config "$cnf" -key "$CERTS/$role.key" -sha512 -out "$CERTS/$role.csr"
	openssl ca -batch -notext -config "$CA_HOME/ca.cnf" -extensions leaf_ext \
		-keyfile "$PRIVATE/daosCA.key" -cert "$CERTS/daosCA.crt" \
		-in "$CERTS/$role.csr" -out "$CERTS/$role.crt" 2> /dev/null
	chmod 0644 "$CERTS/$role.crt"
	rm -f "$CERTS/$role.csr"
}

for role in admin agent server; do
	gen_leaf "$role"
done
# openssl ca leaves a copy of each certificate named by its serial number.
rm -f "$CERTS"/[0-9A-F][0-9A-F].pem

cp "$CERTS/agent.crt" "$CERTS/admin.crt" "$CLIENTS/"
chmod 0644 "$CLIENTS/agent.crt" "$CLIENTS/admin.crt"

if [ "$(id -u)" -eq 0 ]; then
	if id daos_server > /dev/null 2>&1; then
		chown daos_server:daos_server "$CERTS/server.crt" "$CERTS/server.key"
		chown -R daos_server:daos_server "$CLIENTS"
	fi
	if id daos_agent > /dev/null 2>&1; then
		chown daos_agent:daos_agent "$CERTS/agent.crt" "$CERTS/agent.key"
	fi
fi

cat << MSG
Certificates are in $CERTS:
  CA certificate     daosCA.crt   -> every node
  server             server.crt server.key   -> servers
  agent              agent.crt agent.key     -> client nodes (daos_agent)
  admin              admin.crt admin.key     -> admin nodes (dmg)
  client_cert_dir    clients/                -> servers
Keep $PRIVATE/daosCA.key offline.
MSG
