#pragma once

#include <cstdint>
#include <cstdio>
#include <deque>
#include <future>
#include <memory>
#include <string>

#include <caf/error.hpp>

namespace relc::release {

/// A gzip writer that deflates fixed-size chunks on several threads, the way
/// pigz does: each chunk is primed with the previous 32 KiB as dictionary and
/// ends on a sync flush, so the chunks join into one standard gzip member.
/// The output depends only on the input (chunk size and level are fixed), so
/// it is reproducible; the header has no time stamp and no file name.
class parallel_gzip {
public:
  parallel_gzip(FILE* out, unsigned threads, int level = 6,
                size_t chunk_size = size_t{1} << 20);
  ~parallel_gzip();

  /// Appends uncompressed bytes.
  [[nodiscard]] caf::error write(const void* data, size_t size);

  /// Compresses what is left and writes the gzip trailer.
  [[nodiscard]] caf::error finish();

private:
  struct job;

  caf::error submit(bool last);
  caf::error drain_one();

  FILE* out_;
  unsigned threads_;
  int level_;
  size_t chunk_size_;
  std::string pending_;
  std::string dictionary_; // the last 32 KiB of input submitted
  std::deque<std::unique_ptr<job>> in_flight_;
  uint32_t crc_ = 0;
  uint64_t total_ = 0;
  bool header_written_ = false;
};

} // namespace relc::release
