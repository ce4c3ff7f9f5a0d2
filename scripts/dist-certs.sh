#!/bin/sh
# Makes a test CA and one certificate per node for a TLS cluster
# (docs/distribution.md): DIR/ca.pem, and DIR/NAME.pem with DIR/NAME.key for
# each NAME. An existing CA in DIR is reused, so nodes can be added later.
# For tests and trials: production certificates come from your own CA.
#
#   scripts/dist-certs.sh certs n1 n2 n3
#   relc boot _rel/x --name n1 --dist-listen 127.0.0.1:4370 \
#     --dist-cert certs/n1.pem --dist-key certs/n1.key --dist-ca certs/ca.pem
set -eu
if [ $# -lt 2 ]; then
  echo "usage: $0 DIR NAME..." >&2
  exit 2
fi
dir=$1
shift
mkdir -p "$dir"
umask 077
if [ ! -f "$dir/ca.pem" ]; then
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
    -keyout "$dir/ca.key" -out "$dir/ca.pem" -days 3650 \
    -subj "/CN=relc test CA" 2>/dev/null
fi
for name in "$@"; do
  openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
    -keyout "$dir/$name.key" -out "$dir/$name.csr" -subj "/CN=$name" 2>/dev/null
  openssl x509 -req -in "$dir/$name.csr" -CA "$dir/ca.pem" -CAkey "$dir/ca.key" \
    -CAcreateserial -out "$dir/$name.pem" -days 825 2>/dev/null
  rm -f "$dir/$name.csr"
done
chmod 644 "$dir/ca.pem"
echo "CA $dir/ca.pem; nodes: $*"
