#include "parallel_gzip.hpp"

#include <zlib.h>

#include "relc/release/release_error.hpp"

namespace relc::release {

namespace {

constexpr size_t window = 32768;

} // namespace

struct parallel_gzip::job {
  std::string input;
  std::string dictionary;
  std::string output;
  uint32_t crc = 0;
  bool last = false;
  bool ok = false;
  std::future<void> done;

  void run(int level) {
    crc = static_cast<uint32_t>(
      crc32(0, reinterpret_cast<const Bytef*>(input.data()),
            static_cast<uInt>(input.size())));
    z_stream z{};
    // Raw deflate: the gzip header and trailer are written once, around all.
    if (deflateInit2(&z, level, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY) != Z_OK)
      return;
    if (!dictionary.empty())
      deflateSetDictionary(&z, reinterpret_cast<const Bytef*>(dictionary.data()),
                           static_cast<uInt>(dictionary.size()));
    output.resize(deflateBound(&z, static_cast<uLong>(input.size())) + 64);
    z.next_in = reinterpret_cast<Bytef*>(input.data());
    z.avail_in = static_cast<uInt>(input.size());
    z.next_out = reinterpret_cast<Bytef*>(output.data());
    z.avail_out = static_cast<uInt>(output.size());
    auto rc = deflate(&z, last ? Z_FINISH : Z_SYNC_FLUSH);
    ok = last ? rc == Z_STREAM_END : (rc == Z_OK && z.avail_in == 0);
    output.resize(output.size() - z.avail_out);
    deflateEnd(&z);
  }
};

parallel_gzip::parallel_gzip(FILE* out, unsigned threads, int level,
                             size_t chunk_size)
  : out_(out),
    threads_(threads == 0 ? 1 : threads),
    level_(level),
    chunk_size_(chunk_size) {
  pending_.reserve(chunk_size_);
}

parallel_gzip::~parallel_gzip() {
  for (auto& j : in_flight_)
    if (j->done.valid())
      j->done.wait();
}

caf::error parallel_gzip::write(const void* data, size_t size) {
  auto p = static_cast<const char*>(data);
  while (size > 0) {
    auto take = std::min(size, chunk_size_ - pending_.size());
    pending_.append(p, take);
    p += take;
    size -= take;
    if (pending_.size() == chunk_size_)
      if (auto err = submit(false))
        return err;
  }
  return {};
}

caf::error parallel_gzip::submit(bool last) {
  if (!header_written_) {
    // ID1 ID2 CM=deflate FLG=0 MTIME=0 XFL=0 OS=3 (Unix)
    static const unsigned char header[10] = {0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3};
    if (fwrite(header, 1, sizeof header, out_) != sizeof header)
      return make_error(release_errc::write_failed, "cannot write gzip header");
    header_written_ = true;
  }
  auto j = std::make_unique<job>();
  j->input = std::move(pending_);
  pending_.clear();
  pending_.reserve(chunk_size_);
  j->dictionary = dictionary_;
  j->last = last;
  // The next chunk's dictionary: the last 32 KiB of everything so far.
  if (j->input.size() >= window) {
    dictionary_.assign(j->input, j->input.size() - window, window);
  } else {
    dictionary_ += j->input;
    if (dictionary_.size() > window)
      dictionary_.erase(0, dictionary_.size() - window);
  }
  total_ += j->input.size();
  auto* raw = j.get();
  auto level = level_;
  j->done = std::async(std::launch::async, [raw, level] { raw->run(level); });
  in_flight_.push_back(std::move(j));
  while (in_flight_.size() > threads_)
    if (auto err = drain_one())
      return err;
  return {};
}

caf::error parallel_gzip::drain_one() {
  auto j = std::move(in_flight_.front());
  in_flight_.pop_front();
  j->done.wait();
  if (!j->ok)
    return make_error(release_errc::write_failed, "deflate failed");
  crc_ = static_cast<uint32_t>(
    crc32_combine(crc_, j->crc, static_cast<z_off_t>(j->input.size())));
  if (fwrite(j->output.data(), 1, j->output.size(), out_) != j->output.size())
    return make_error(release_errc::write_failed, "cannot write compressed data");
  return {};
}

caf::error parallel_gzip::finish() {
  if (auto err = submit(true))
    return err;
  while (!in_flight_.empty())
    if (auto err = drain_one())
      return err;
  unsigned char trailer[8];
  for (int i = 0; i < 4; ++i) {
    trailer[i] = static_cast<unsigned char>((crc_ >> (8 * i)) & 0xff);
    trailer[4 + i] = static_cast<unsigned char>((total_ >> (8 * i)) & 0xff);
  }
  if (fwrite(trailer, 1, sizeof trailer, out_) != sizeof trailer)
    return make_error(release_errc::write_failed, "cannot write gzip trailer");
  return {};
}

} // namespace relc::release
