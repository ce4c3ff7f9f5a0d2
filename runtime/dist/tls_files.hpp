#pragma once

// The TLS files a distributed node names, checked before it starts: CAF's
// TLS layer would only fail at the first connection, with an exception.

#include <string>

#include <caf/error.hpp>

namespace relc {

/// The certificate and key are readable PEM, the key is the certificate's,
/// and the CA file's certificates signed it. The error names the flag, the
/// file and OpenSSL's reason.
caf::error check_tls_files(const std::string& cert, const std::string& key,
                           const std::string& ca);

} // namespace relc
