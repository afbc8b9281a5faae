// Scenario files: a scripted sequence of waits, failures, repairs and
// configuration changes, run against one topology by the simulator
// (`halink sim FILE --scenario S`, `halink demo`) and by the lab on real
// processes (`halink lab run`), so both tell the same story.
//
//   name: blackhole-then-isp1
//   description: free text
//   steps:
//     - wait: converged                      # every session Established (but those the failures
//                                            # in force take down), next hops stable
//     - wait: 3s                             # 250ms, 3s, 1.5s, 1m
//     - fail: tunnel-blackhole r1-g1         # KIND TARGET
//     - fail: link-down r1-g1@r1             # one end of a tunnel: TUNNEL@ROUTER
//     - restore: tunnel-blackhole r1-g1
//     - restore: all
//     - change: variant.yaml                 # routers whose section differs are reloaded
//
// Two `fail:` steps with no wait between them happen at the same instant.
// Everything is checked when the file is loaded, against the topology:
// targets exist (with "did you mean"), a restore names a failure that is in
// force, a change file is a valid topology that differs only in router
// sections. Errors carry file:line:col and the key path like every other
// configuration error (yaml_reader.h).
#pragma once

#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "config/topology.h"
#include "core/result.h"
#include "core/time.h"

namespace halink::config {

// Every failure a scenario can inject. The first five are modelled by the
// simulator as they are; the others are what the lab can do to real
// processes, and the simulator maps them where it can do so honestly
// (sim/world/failure.h says how).
enum class FailureKind : uint8_t {
  tunnel_blackhole,      // packets vanish both ways, interfaces stay up (a stuck SA, a dead path in the ISP)
  tunnel_down,           // the tunnel interface loses carrier on both ends
  router_crash,          // the box dies (restore: it boots again)
  underlay_loss,         // an ISP fails: every tunnel over it black-holes at once
  device_crash,          // a firewall or other box on the data path dies
  link_down,             // the tunnel interface is set down on one router (`ip link set dev wg0 down`)
  tunnel_process_crash,  // the tunnel's process on one router dies: its interface disappears
  tunnel_wrong_key,      // the tunnel's key is changed on one end: no packet is accepted either way
  halinkd_restart,       // halinkd on one router is killed and started again at once (an instant event)
};
// "tunnel-blackhole", "link-down", ...
const char* failure_kind_name(FailureKind kind);
std::optional<FailureKind> failure_kind_from_name(std::string_view name);
const std::vector<FailureKind>& all_failure_kinds();

// What the target of a kind names.
enum class FailureTargetKind : uint8_t {
  tunnel,      // "r1-g1"
  tunnel_end,  // "r1-g1@r1": the tunnel and the router whose end fails
  router,      // "r1"
  underlay,    // "isp1"
  device,      // "fw1"
};
FailureTargetKind failure_target_kind(FailureKind kind);
// Happens and is over at once; nothing to restore (halinkd-restart).
bool failure_is_instant(FailureKind kind);

struct Failure {
  using Kind = FailureKind;
  Failure() = default;
  Failure(Kind k, std::string target_name, std::string router_name = {})
      : kind(k), target(std::move(target_name)), router(std::move(router_name)) {}

  Kind kind = Kind::tunnel_blackhole;
  std::string target;  // tunnel, router, underlay or device name
  std::string router;  // tunnel_end kinds: the router at the failing end; empty otherwise

  // "link-down r1-g1@r1": what a scenario file says.
  std::string to_string() const;
  // "tunnel r1-g1 interface down on r1": what a person reads.
  std::string describe() const;
  bool operator==(const Failure&) const = default;
};

// "KIND TARGET" (as after `fail:`), checked against `topology`; the error
// says what is wrong in words (unknown kind or name, with a suggestion).
Result<Failure> parse_failure(std::string_view text, const Topology& topology);

// What the failures in force take down, which `wait: converged` expects
// down (the simulator and the lab alike): the tunnels failed themselves or
// with their underlay or a crashed end, and the crashed routers.
struct FailureEffect {
  std::set<std::string> tunnels;
  std::set<std::string> routers;
  // Whether the session of `router` with its neighbour `n` is down: over a
  // failed tunnel, of a crashed router, or the site pair session towards a
  // crashed sibling (the neighbour is the sibling's lan_address).
  bool takes_down(const Topology& topology, const std::string& router, const Neighbor& n) const;
};
FailureEffect failures_take_down(const std::vector<Failure>& in_force, const Topology& topology);

// "250ms", "3s", "1.5s", "1m": a positive number and a unit (ms, s, m).
std::optional<Duration> parse_duration(std::string_view text);

struct ScenarioStep {
  enum class Kind : uint8_t {
    wait_converged,  // every session Established except those the failures in force take down,
                     // next hops stable (sim and lab alike); an error after `duration`
    wait_for,        // let `duration` pass
    inject,          // `failure` starts
    restore,         // `failure` is repaired
    restore_all,     // every failure in force is repaired
    change,          // the routers in `changed_routers` are reloaded from `topology`
  };
  Kind kind = Kind::wait_for;
  Duration duration;                  // wait_for: how long; wait_converged: the limit
  std::optional<Failure> failure;     // inject, restore
  std::string change_file;            // change: the path, resolved against the scenario's folder
  std::optional<Topology> topology;   // change: the whole topology in force after the step
  std::vector<std::string> changed_routers;  // change: routers whose section differs from before
  int line = 0;                       // where the step is written (1-based)
  std::string text;                   // as written: "fail: tunnel-blackhole r1-g1"
};

// How long `wait: converged` waits before the scenario fails.
inline constexpr Duration scenario_converge_limit = Duration::seconds(120);

struct Scenario {
  std::string name;  // default: the file name without extension
  std::string description;
  std::string source_file;
  std::vector<ScenarioStep> steps;
};

Result<Scenario> load_scenario(const std::string& path, const Topology& topology);
// `base_dir` resolves `change:` paths (empty: as written).
Result<Scenario> load_scenario_string(std::string_view text, const Topology& topology,
                                      const std::string& source_name = "<string>", const std::string& base_dir = "");

}  // namespace halink::config
