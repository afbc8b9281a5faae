// UPDATE decode/encode throughput on a realistic mix: a table-dump-like
// stream where messages carry from one to as many prefixes as fit, paths of
// 2-8 AS hops, 0-6 communities, MED on some routes. Reports prefixes/s as
// items_per_second. Figures: docs/PERFORMANCE.md.
#include <random>

#include <benchmark/benchmark.h>

#include "bgp/wire/codec.h"
#include "bgp/wire/update_codec.h"

namespace halink::bgp {
namespace {

struct Workload {
  std::vector<Update> updates;
  std::vector<std::vector<uint8_t>> messages;  // whole messages
  std::vector<uint8_t> stream;                 // all messages back to back
  size_t prefixes = 0;
};

PathAttributes random_attributes(std::mt19937& rng, Family family) {
  PathAttributes a;
  a.origin = Origin(rng() % 3 == 0 ? 2 : 0);
  AsPathSegment seq;
  size_t hops = 2 + rng() % 7;  // 2..8
  for (size_t i = 0; i < hops; ++i) seq.asns.push_back(i + 1 == hops || rng() % 4 ? 64512 + rng() % 1000 : 4200000000u + rng() % 1000);
  a.as_path = AsPath{{seq}};
  if (family == Family::ipv4) {
    a.next_hop = IpAddress::v4(0xC0000200 | (rng() % 250 + 1));
  } else {
    std::array<uint8_t, 16> b{0x20, 0x01, 0x0d, 0xb8};
    b[15] = uint8_t(rng() % 250 + 1);
    a.next_hop = IpAddress::from_bytes(Family::ipv6, b);
  }
  if (rng() % 3 == 0) a.med = rng() % 1000;
  a.local_pref = 100;
  size_t communities = rng() % 7;  // 0..6
  for (size_t i = 0; i < communities; ++i) a.communities.push_back((64512 + rng() % 100) << 16 | rng() % 1000);
  return a;
}

Workload make_workload(Family family) {
  std::mt19937 rng(42);
  CodecContext ctx;
  ctx.ibgp = true;
  Workload w;
  // Prefixes per attribute set, as a table dump spreads them: mostly
  // small groups, some large ones that fill whole messages.
  const size_t group_sizes[] = {1, 2, 5, 20, 100, 400, 1500};
  uint32_t next_prefix = 0;
  for (int group = 0; group < 700; ++group) {
    Update u;
    u.attributes = random_attributes(rng, family);
    size_t n = group_sizes[rng() % std::size(group_sizes)];
    NlriList& list = family == Family::ipv4 ? u.nlri : u.mp_nlri;
    if (family == Family::ipv6) u.mp_reach_family = AfiSafi::unicast(Family::ipv6);
    for (size_t i = 0; i < n; ++i, ++next_prefix) {
      if (family == Family::ipv4) {
        int length = 16 + int(rng() % 9);  // /16../24, most of a real table
        list.prefixes.push_back(Prefix::make_masked(IpAddress::v4(0x01000000 + next_prefix * 256), length));
      } else {
        std::array<uint8_t, 16> b{0x20, 0x01, uint8_t(next_prefix >> 16), uint8_t(next_prefix >> 8), uint8_t(next_prefix)};
        list.prefixes.push_back(Prefix::make_masked(IpAddress::from_bytes(Family::ipv6, b), 32 + int(rng() % 17)));
      }
    }
    for (auto& part : split_update(u, ctx)) {
      w.prefixes += part.nlri.prefixes.size() + part.mp_nlri.prefixes.size();
      w.messages.push_back(encode(part, ctx));
      w.stream.insert(w.stream.end(), w.messages.back().begin(), w.messages.back().end());
      w.updates.push_back(std::move(part));
    }
  }
  return w;
}

const Workload& workload(Family family) {
  static const Workload v4 = make_workload(Family::ipv4);
  static const Workload v6 = make_workload(Family::ipv6);
  return family == Family::ipv4 ? v4 : v6;
}

void decode_updates(benchmark::State& state, Family family) {
  const auto& w = workload(family);
  CodecContext ctx;
  ctx.ibgp = true;
  for (auto _ : state) {
    for (const auto& m : w.messages) {
      auto d = decode_update(std::span(m).subspan(header_size), ctx);
      benchmark::DoNotOptimize(d);
    }
  }
  state.SetItemsProcessed(int64_t(state.iterations() * w.prefixes));
  state.counters["messages"] = double(w.messages.size());
  state.counters["prefixes_per_message"] = double(w.prefixes) / double(w.messages.size());
}

void stream_and_decode(benchmark::State& state) {
  const auto& w = workload(Family::ipv4);
  CodecContext ctx;
  ctx.ibgp = true;
  const size_t read_size = 65536;  // one socket read's worth at a time
  for (auto _ : state) {
    StreamDecoder s;
    for (size_t at = 0; at < w.stream.size(); at += read_size) {
      s.feed(std::span(w.stream).subspan(at, std::min(read_size, w.stream.size() - at)));
      for (auto r = s.next(); r.kind == StreamDecoder::FrameResult::Kind::frame; r = s.next()) {
        auto d = decode_message(r.frame.type, r.frame.body, ctx);
        benchmark::DoNotOptimize(d);
      }
    }
  }
  state.SetItemsProcessed(int64_t(state.iterations() * w.prefixes));
  state.SetBytesProcessed(int64_t(state.iterations() * w.stream.size()));
}

void encode_updates(benchmark::State& state, Family family) {
  const auto& w = workload(family);
  CodecContext ctx;
  ctx.ibgp = true;
  for (auto _ : state) {
    for (const auto& u : w.updates) {
      auto bytes = encode(u, ctx);
      benchmark::DoNotOptimize(bytes);
    }
  }
  state.SetItemsProcessed(int64_t(state.iterations() * w.prefixes));
}

void BM_DecodeUpdateIpv4(benchmark::State& s) { decode_updates(s, Family::ipv4); }
void BM_DecodeUpdateIpv6(benchmark::State& s) { decode_updates(s, Family::ipv6); }
void BM_StreamAndDecodeIpv4(benchmark::State& s) { stream_and_decode(s); }
void BM_EncodeUpdateIpv4(benchmark::State& s) { encode_updates(s, Family::ipv4); }
void BM_EncodeUpdateIpv6(benchmark::State& s) { encode_updates(s, Family::ipv6); }

BENCHMARK(BM_DecodeUpdateIpv4)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_DecodeUpdateIpv6)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_StreamAndDecodeIpv4)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_EncodeUpdateIpv4)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_EncodeUpdateIpv6)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace halink::bgp
