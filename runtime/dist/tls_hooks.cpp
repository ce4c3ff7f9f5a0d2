// What this plugin changes in CAF's TLS layer (libcaf_openssl), by
// interposing OpenSSL functions CAF calls: the plugin is first in the
// lookup scope of the libraries it loads, so CAF's calls resolve here, and
// RTLD_NEXT is OpenSSL's own function.
//
// 1. A clean error queue before each TLS I/O call. OpenSSL's SSL_get_error
//    reads the thread's error queue, which must be empty before the call;
//    CAF does not clear it, and on OpenSSL 3 a peer that dies leaves an
//    entry (unexpected EOF) on the multiplexer thread, so the next call of
//    any other session on that thread was taken for a failure and a healthy
//    connection was closed: with three nodes, killing one dropped the link
//    between the other two.
//
// 2. Refused TLS peers, in the node's log. CAF's TLS sessions
// verify certificates both ways but say nothing when they refuse one, so
// this plugin interposes OpenSSL's SSL_CTX_set_verify, which CAF calls for
// every session it makes: the session gets a verify callback that logs a
// refused certificate and an info callback that logs a fatal alert (the
// other side refused ours). A peer that speaks no TLS at all (a node
// started with --dist-insecure) sends no alert: only that side says why. The plugin is first in the
// lookup scope of the libraries it loads, so CAF's call resolves here;
// RTLD_NEXT is OpenSSL's own function. Nothing else is changed: the same
// mode, and CAF sets no callback of its own.

#include <arpa/inet.h>
#include <dlfcn.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <string>

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include "relc/runtime/log.hpp"

namespace {

std::string peer_of(const SSL* ssl) {
  int fd = ssl ? SSL_get_fd(ssl) : -1;
  sockaddr_storage addr{};
  socklen_t len = sizeof(addr);
  if (fd < 0 || getpeername(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0)
    return "a peer";
  char host[INET6_ADDRSTRLEN] = "?";
  uint16_t port = 0;
  if (addr.ss_family == AF_INET) {
    auto* a = reinterpret_cast<sockaddr_in*>(&addr);
    inet_ntop(AF_INET, &a->sin_addr, host, sizeof(host));
    port = ntohs(a->sin_port);
  } else if (addr.ss_family == AF_INET6) {
    auto* a = reinterpret_cast<sockaddr_in6*>(&addr);
    inet_ntop(AF_INET6, &a->sin6_addr, host, sizeof(host));
    port = ntohs(a->sin6_port);
  }
  return std::string{host} + ":" + std::to_string(port);
}

// The session whose refusal was logged last on this thread (its alert then
// says nothing new).
thread_local const SSL* refused_here = nullptr;

int log_refused_certificate(int ok, X509_STORE_CTX* ctx) {
  if (ok)
    return ok;
  auto* ssl = static_cast<SSL*>(
    X509_STORE_CTX_get_ex_data(ctx, SSL_get_ex_data_X509_STORE_CTX_idx()));
  char subject[256] = "?";
  if (auto* cert = X509_STORE_CTX_get_current_cert(ctx))
    X509_NAME_oneline(X509_get_subject_name(cert), subject, sizeof(subject));
  refused_here = ssl;
  relc::log(relc::log_level::warning, "dist",
            "refused " + peer_of(ssl) + ": its certificate " + subject + ": "
              + X509_verify_cert_error_string(X509_STORE_CTX_get_error(ctx)));
  return ok;
}

// Marks a session whose handshake completed once: an alert after that is
// the end of a connection (a peer stopped or killed, whose loss the node
// down line reports), not a refusal, even where OpenSSL says the session
// is back "in init" while it is torn down.
int handshake_done_index() {
  static int index = SSL_get_ex_new_index(0, nullptr, nullptr, nullptr, nullptr);
  return index;
}

void log_fatal_alert(const SSL* ssl, int where, int ret) {
  if (where & SSL_CB_HANDSHAKE_DONE) {
    SSL_set_ex_data(const_cast<SSL*>(ssl), handshake_done_index(),
                    reinterpret_cast<void*>(1));
    return;
  }
  // Only a handshake's alert is a refusal; later ones end a connection
  // whose loss the node_down line reports.
  if (!(where & SSL_CB_ALERT) || SSL_alert_type_string(ret)[0] != 'F'
      || SSL_is_init_finished(ssl)
      || SSL_get_ex_data(ssl, handshake_done_index()) != nullptr)
    return;
  if (where & SSL_CB_READ) {
    relc::log(relc::log_level::warning, "dist",
              "TLS with " + peer_of(ssl) + " failed: it refused the "
                "handshake ('" + SSL_alert_desc_string_long(ret) + "')");
  } else if (refused_here != ssl) {
    refused_here = ssl;
    relc::log(relc::log_level::warning, "dist",
              "refused " + peer_of(ssl) + ": "
                + SSL_alert_desc_string_long(ret));
  }
}

} // namespace

extern "C" __attribute__((visibility("default"))) void
SSL_CTX_set_verify(SSL_CTX* ctx, int mode, SSL_verify_cb callback) {
  using real_fn = void (*)(SSL_CTX*, int, SSL_verify_cb);
  static auto real
    = reinterpret_cast<real_fn>(dlsym(RTLD_NEXT, "SSL_CTX_set_verify"));
  if ((mode & SSL_VERIFY_PEER) && callback == nullptr) {
    callback = log_refused_certificate;
    SSL_CTX_set_info_callback(ctx, log_fatal_alert);
  }
  real(ctx, mode, callback);
}

namespace {

template <class Fn>
Fn real_function(const char* name) {
  return reinterpret_cast<Fn>(dlsym(RTLD_NEXT, name));
}

} // namespace

extern "C" __attribute__((visibility("default"))) int
SSL_read(SSL* ssl, void* buf, int num) {
  static auto real = real_function<int (*)(SSL*, void*, int)>("SSL_read");
  ERR_clear_error();
  return real(ssl, buf, num);
}

extern "C" __attribute__((visibility("default"))) int
SSL_write(SSL* ssl, const void* buf, int num) {
  static auto real = real_function<int (*)(SSL*, const void*, int)>("SSL_write");
  ERR_clear_error();
  return real(ssl, buf, num);
}

extern "C" __attribute__((visibility("default"))) int SSL_connect(SSL* ssl) {
  static auto real = real_function<int (*)(SSL*)>("SSL_connect");
  ERR_clear_error();
  return real(ssl);
}

extern "C" __attribute__((visibility("default"))) int SSL_accept(SSL* ssl) {
  static auto real = real_function<int (*)(SSL*)>("SSL_accept");
  ERR_clear_error();
  return real(ssl);
}
