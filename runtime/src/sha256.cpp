#include "relc/runtime/sha256.hpp"

#include <cstdlib>
#include <cstring>

#if defined(__x86_64__)
#  include <cpuid.h>
#  include <immintrin.h>
#endif

namespace relc {

namespace {

constexpr uint32_t k[64] = {
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1,
  0x923f82a4, 0xab1c5ed5, 0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3,
  0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786,
  0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
  0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147,
  0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13,
  0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b,
  0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
  0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a,
  0x5b9cca4f, 0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208,
  0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
};

inline uint32_t rotr(uint32_t x, int n) {
  return (x >> n) | (x << (32 - n));
}

#if defined(__x86_64__)

bool cpu_has_sha() {
  unsigned a = 0, b = 0, c = 0, d = 0;
  if (!__get_cpuid_count(7, 0, &a, &b, &c, &d))
    return false;
  bool sha = (b >> 29) & 1;
  if (!__get_cpuid(1, &a, &b, &c, &d))
    return false;
  bool sse41 = (c >> 19) & 1;
  bool ssse3 = (c >> 9) & 1;
  return sha && sse41 && ssse3;
}

// SHA-256 with the x86 SHA extensions: 16 groups of 4 rounds, the message
// schedule computed with sha256msg1/msg2 (Intel's published scheme).
__attribute__((target("sha,sse4.1,ssse3"))) void
compress_shani(uint32_t* state, const uint8_t* data) {
  const __m128i mask = _mm_set_epi64x(0x0c0d0e0f08090a0bULL,
                                      0x0405060700010203ULL);
  __m128i tmp = _mm_loadu_si128(reinterpret_cast<const __m128i*>(&state[0]));
  __m128i state1 = _mm_loadu_si128(reinterpret_cast<const __m128i*>(&state[4]));
  tmp = _mm_shuffle_epi32(tmp, 0xB1);          // CDAB
  state1 = _mm_shuffle_epi32(state1, 0x1B);    // EFGH
  __m128i state0 = _mm_alignr_epi8(tmp, state1, 8); // ABEF
  state1 = _mm_blend_epi16(state1, tmp, 0xF0);      // CDGH
  const __m128i abef_save = state0;
  const __m128i cdgh_save = state1;
  __m128i w[16];
  for (int i = 0; i < 4; ++i)
    w[i] = _mm_shuffle_epi8(
      _mm_loadu_si128(reinterpret_cast<const __m128i*>(data + 16 * i)), mask);
  for (int t = 4; t < 16; ++t) {
    __m128i x = _mm_sha256msg1_epu32(w[t - 4], w[t - 3]);
    x = _mm_add_epi32(x, _mm_alignr_epi8(w[t - 1], w[t - 2], 4));
    w[t] = _mm_sha256msg2_epu32(x, w[t - 1]);
  }
  for (int i = 0; i < 16; ++i) {
    __m128i msg = _mm_add_epi32(
      w[i], _mm_loadu_si128(reinterpret_cast<const __m128i*>(&k[4 * i])));
    state1 = _mm_sha256rnds2_epu32(state1, state0, msg);
    msg = _mm_shuffle_epi32(msg, 0x0E);
    state0 = _mm_sha256rnds2_epu32(state0, state1, msg);
  }
  state0 = _mm_add_epi32(state0, abef_save);
  state1 = _mm_add_epi32(state1, cdgh_save);
  tmp = _mm_shuffle_epi32(state0, 0x1B);       // FEBA
  state1 = _mm_shuffle_epi32(state1, 0xB1);    // DCHG
  state0 = _mm_blend_epi16(tmp, state1, 0xF0); // DCBA
  state1 = _mm_alignr_epi8(state1, tmp, 8);    // HGFE
  _mm_storeu_si128(reinterpret_cast<__m128i*>(&state[0]), state0);
  _mm_storeu_si128(reinterpret_cast<__m128i*>(&state[4]), state1);
}

const bool use_shani = cpu_has_sha() && getenv("RELC_NO_SHANI") == nullptr;

#endif

} // namespace

sha256::sha256()
  : state_{0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
           0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19} {
}

void sha256::compress(const uint8_t* p) {
#if defined(__x86_64__)
  if (use_shani) {
    compress_shani(state_.data(), p);
    return;
  }
#endif
  uint32_t w[64];
  for (int i = 0; i < 16; ++i)
    w[i] = (uint32_t{p[4 * i]} << 24) | (uint32_t{p[4 * i + 1]} << 16)
           | (uint32_t{p[4 * i + 2]} << 8) | uint32_t{p[4 * i + 3]};
  for (int i = 16; i < 64; ++i) {
    auto s0 = rotr(w[i - 15], 7) ^ rotr(w[i - 15], 18) ^ (w[i - 15] >> 3);
    auto s1 = rotr(w[i - 2], 17) ^ rotr(w[i - 2], 19) ^ (w[i - 2] >> 10);
    w[i] = w[i - 16] + s0 + w[i - 7] + s1;
  }
  auto [a, b, c, d, e, f, g, h] = state_;
  for (int i = 0; i < 64; ++i) {
    auto s1 = rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25);
    auto ch = (e & f) ^ (~e & g);
    auto t1 = h + s1 + ch + k[i] + w[i];
    auto s0 = rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22);
    auto maj = (a & b) ^ (a & c) ^ (b & c);
    auto t2 = s0 + maj;
    h = g;
    g = f;
    f = e;
    e = d + t1;
    d = c;
    c = b;
    b = a;
    a = t1 + t2;
  }
  state_[0] += a;
  state_[1] += b;
  state_[2] += c;
  state_[3] += d;
  state_[4] += e;
  state_[5] += f;
  state_[6] += g;
  state_[7] += h;
}

void sha256::update(std::string_view data) {
  auto p = reinterpret_cast<const uint8_t*>(data.data());
  auto n = data.size();
  length_ += n;
  if (buffered_ > 0) {
    auto take = std::min(n, buffer_.size() - buffered_);
    memcpy(buffer_.data() + buffered_, p, take);
    buffered_ += take;
    p += take;
    n -= take;
    if (buffered_ < buffer_.size())
      return;
    compress(buffer_.data());
    buffered_ = 0;
  }
  for (; n >= 64; n -= 64, p += 64)
    compress(p);
  memcpy(buffer_.data(), p, n);
  buffered_ = n;
}

std::string sha256::hex_digest() {
  uint64_t bits = length_ * 8;
  uint8_t pad[72] = {0x80};
  size_t pad_len = (buffered_ < 56) ? 56 - buffered_ : 120 - buffered_;
  update(std::string_view{reinterpret_cast<char*>(pad), pad_len});
  uint8_t len[8];
  for (int i = 0; i < 8; ++i)
    len[i] = static_cast<uint8_t>(bits >> (56 - 8 * i));
  update(std::string_view{reinterpret_cast<char*>(len), 8});
  static constexpr char digits[] = "0123456789abcdef";
  std::string result;
  for (auto word : state_)
    for (int i = 28; i >= 0; i -= 4)
      result += digits[(word >> i) & 0xf];
  return result;
}

std::string sha256::of(std::string_view data) {
  sha256 h;
  h.update(data);
  return h.hex_digest();
}

} // namespace relc
