#include "relc/runtime/boot_file.hpp"

#include <cstring>

#include "relc/runtime/runtime_error.hpp"

namespace relc {

namespace {

constexpr char magic[] = "RELCBOOT";
constexpr size_t magic_size = 8;
constexpr int max_depth = 64;

enum tag : uint8_t {
  tag_null,
  tag_false,
  tag_true,
  tag_integer,
  tag_real,
  tag_string,
  tag_list,
  tag_map,
};

void put_varint(std::string& out, uint64_t x) {
  while (x >= 0x80) {
    out += static_cast<char>((x & 0x7f) | 0x80);
    x >>= 7;
  }
  out += static_cast<char>(x);
}

void put_string(std::string& out, const std::string& s) {
  put_varint(out, s.size());
  out += s;
}

void encode(std::string& out, const term& x) {
  switch (x.type()) {
    case term::kind::null: out += static_cast<char>(tag_null); break;
    case term::kind::boolean:
      out += static_cast<char>(x.as_bool() ? tag_true : tag_false);
      break;
    case term::kind::integer: {
      out += static_cast<char>(tag_integer);
      auto v = x.as_integer();
      put_varint(out, (static_cast<uint64_t>(v) << 1) ^ static_cast<uint64_t>(v >> 63));
      break;
    }
    case term::kind::real: {
      out += static_cast<char>(tag_real);
      double d = x.as_real();
      uint64_t bits;
      memcpy(&bits, &d, sizeof bits);
      for (int i = 0; i < 8; ++i)
        out += static_cast<char>((bits >> (8 * i)) & 0xff);
      break;
    }
    case term::kind::string:
      out += static_cast<char>(tag_string);
      put_string(out, x.as_string());
      break;
    case term::kind::list:
      out += static_cast<char>(tag_list);
      put_varint(out, x.as_list().size());
      for (auto& y : x.as_list())
        encode(out, y);
      break;
    case term::kind::map:
      out += static_cast<char>(tag_map);
      put_varint(out, x.as_map().size());
      for (auto& [k, v] : x.as_map()) {
        put_string(out, k);
        encode(out, v);
      }
      break;
  }
}

class decoder {
public:
  explicit decoder(std::string_view in) : in_(in) {}

  caf::error fail(const char* what) const {
    return make_error(runtime_errc::bad_boot_file,
                      std::string{what} + " at byte " + std::to_string(pos_));
  }

  caf::error varint(uint64_t& x) {
    x = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      if (pos_ >= in_.size())
        return fail("truncated varint");
      auto b = static_cast<uint8_t>(in_[pos_++]);
      x |= static_cast<uint64_t>(b & 0x7f) << shift;
      if ((b & 0x80) == 0)
        return {};
    }
    return fail("overlong varint");
  }

  caf::error string(std::string& s) {
    uint64_t n;
    if (auto err = varint(n))
      return err;
    if (n > in_.size() - pos_)
      return fail("truncated string");
    s.assign(in_.substr(pos_, n));
    pos_ += n;
    return {};
  }

  caf::error value(term& x, int depth) {
    if (depth > max_depth)
      return fail("nesting too deep");
    if (pos_ >= in_.size())
      return fail("truncated value");
    auto t = static_cast<uint8_t>(in_[pos_++]);
    switch (t) {
      case tag_null: x = term{}; return {};
      case tag_false: x = false; return {};
      case tag_true: x = true; return {};
      case tag_integer: {
        uint64_t u;
        if (auto err = varint(u))
          return err;
        x = static_cast<int64_t>((u >> 1) ^ (~(u & 1) + 1));
        return {};
      }
      case tag_real: {
        if (in_.size() - pos_ < 8)
          return fail("truncated real");
        uint64_t bits = 0;
        for (int i = 0; i < 8; ++i)
          bits |= static_cast<uint64_t>(static_cast<uint8_t>(in_[pos_ + i]))
                  << (8 * i);
        pos_ += 8;
        double d;
        memcpy(&d, &bits, sizeof d);
        x = d;
        return {};
      }
      case tag_string: {
        std::string s;
        if (auto err = string(s))
          return err;
        x = std::move(s);
        return {};
      }
      case tag_list: {
        uint64_t n;
        if (auto err = varint(n))
          return err;
        if (n > in_.size() - pos_) // every item takes at least one byte
          return fail("list longer than the file");
        term::list items(n);
        for (auto& item : items)
          if (auto err = value(item, depth + 1))
            return err;
        x = std::move(items);
        return {};
      }
      case tag_map: {
        uint64_t n;
        if (auto err = varint(n))
          return err;
        if (n > (in_.size() - pos_) / 2)
          return fail("map longer than the file");
        term::map items(n);
        for (auto& [k, v] : items) {
          if (auto err = string(k))
            return err;
          if (auto err = value(v, depth + 1))
            return err;
        }
        x = std::move(items);
        return {};
      }
      default: --pos_; return fail("unknown tag");
    }
  }

  size_t pos() const { return pos_; }
  void skip(size_t n) { pos_ += n; }

private:
  std::string_view in_;
  size_t pos_ = 0;
};

} // namespace

std::string encode_boot_file(const term& script) {
  std::string out{magic, magic_size};
  for (int i = 0; i < 4; ++i)
    out += static_cast<char>((boot_format_version >> (8 * i)) & 0xff);
  encode(out, script);
  return out;
}

caf::expected<term> decode_boot_file(std::string_view bytes) {
  if (bytes.size() < magic_size + 4 || bytes.substr(0, magic_size) != magic)
    return make_error(runtime_errc::bad_boot_file,
                      "not a relc boot file (expected magic RELCBOOT)");
  uint32_t format = 0;
  for (int i = 0; i < 4; ++i)
    format |= static_cast<uint32_t>(static_cast<uint8_t>(bytes[magic_size + i]))
              << (8 * i);
  if (format != boot_format_version)
    return make_error(runtime_errc::bad_boot_file,
                      "boot file format " + std::to_string(format)
                        + ", this runtime reads format "
                        + std::to_string(boot_format_version));
  decoder dec{bytes};
  dec.skip(magic_size + 4);
  term result;
  if (auto err = dec.value(result, 0))
    return err;
  if (dec.pos() != bytes.size())
    return dec.fail("trailing data");
  return result;
}

} // namespace relc
