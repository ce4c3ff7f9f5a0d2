#include "tls_files.hpp"

#include <cstdio>
#include <memory>

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>

#include "relc/runtime/runtime_error.hpp"

namespace relc {

namespace {

template <class T, void (*Free)(T*)>
struct freer {
  void operator()(T* x) const { Free(x); }
};
using x509_ptr = std::unique_ptr<X509, freer<X509, X509_free>>;
using pkey_ptr = std::unique_ptr<EVP_PKEY, freer<EVP_PKEY, EVP_PKEY_free>>;
using store_ptr = std::unique_ptr<X509_STORE, freer<X509_STORE, X509_STORE_free>>;
using store_ctx_ptr
  = std::unique_ptr<X509_STORE_CTX, freer<X509_STORE_CTX, X509_STORE_CTX_free>>;

caf::error fail(const std::string& flag, const std::string& file,
                const std::string& why) {
  ERR_clear_error();
  return make_error(runtime_errc::distribution,
                    flag + " " + file + ": " + why);
}

std::string openssl_reason() {
  auto code = ERR_peek_last_error();
  if (code == 0)
    return "not PEM";
  const char* reason = ERR_reason_error_string(code);
  return reason ? reason : "not PEM";
}

struct file_closer {
  void operator()(FILE* f) const { fclose(f); }
};

} // namespace

caf::error check_tls_files(const std::string& cert, const std::string& key,
                           const std::string& ca) {
  std::unique_ptr<FILE, file_closer> cf{fopen(cert.c_str(), "r")};
  if (!cf)
    return fail("--dist-cert", cert, "cannot read it");
  x509_ptr crt{PEM_read_X509(cf.get(), nullptr, nullptr, nullptr)};
  if (!crt)
    return fail("--dist-cert", cert,
                "expected a PEM certificate (" + openssl_reason() + ")");
  std::unique_ptr<FILE, file_closer> kf{fopen(key.c_str(), "r")};
  if (!kf)
    return fail("--dist-key", key, "cannot read it");
  pkey_ptr pkey{PEM_read_PrivateKey(kf.get(), nullptr, nullptr, nullptr)};
  if (!pkey)
    return fail("--dist-key", key,
                "expected an unencrypted PEM private key ("
                  + openssl_reason() + ")");
  if (X509_check_private_key(crt.get(), pkey.get()) != 1)
    return fail("--dist-key", key, "not the key of " + cert);
  store_ptr store{X509_STORE_new()};
  std::unique_ptr<FILE, file_closer> af{fopen(ca.c_str(), "r")};
  if (!af)
    return fail("--dist-ca", ca, "cannot read it");
  af.reset();
  if (X509_STORE_load_locations(store.get(), ca.c_str(), nullptr) != 1)
    return fail("--dist-ca", ca,
                "expected PEM CA certificates (" + openssl_reason() + ")");
  store_ctx_ptr ctx{X509_STORE_CTX_new()};
  X509_STORE_CTX_init(ctx.get(), store.get(), crt.get(), nullptr);
  if (X509_verify_cert(ctx.get()) != 1)
    return fail("--dist-cert", cert,
                std::string{"not signed by the CA in "} + ca + " ("
                  + X509_verify_cert_error_string(
                    X509_STORE_CTX_get_error(ctx.get()))
                  + ")");
  ERR_clear_error();
  return {};
}

} // namespace relc
