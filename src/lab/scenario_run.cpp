#include "lab/scenario_run.h"

#include <time.h>

#include <atomic>
#include <cmath>
#include <fstream>
#include <mutex>
#include <thread>

#include "config/loader.h"
#include "lab/convergence.h"
#include "lab/counters.h"
#include "lab/failures.h"
#include "lab/interrupt.h"

namespace halink::lab {

namespace {

// The probe stamps CLOCK_MONOTONIC; so do the steps, to be laid together.
int64_t monotonic_ns() {
  timespec t{};
  clock_gettime(CLOCK_MONOTONIC, &t);
  return int64_t{t.tv_sec} * 1'000'000'000 + t.tv_nsec;
}

double round3(double v) { return std::round(v * 1000.0) / 1000.0; }

std::string direction_name(const std::string& from, const std::string& to) { return from + " → " + to; }

struct CounterSample {
  int64_t at_ns = 0;
  std::map<std::string, TunnelCounters> counters;
};

// Reads the tunnel counters every interval on its own thread, for the
// per-tunnel series of the timeline.
class CounterSampler {
public:
  CounterSampler(const Lab& lab, Duration interval) : lab_(lab), interval_(interval) {
    thread_ = std::thread([this] { loop(); });
  }
  ~CounterSampler() { stop(); }
  void stop() {
    running_ = false;
    if (thread_.joinable()) thread_.join();
  }
  std::vector<CounterSample> samples() {
    std::lock_guard lock(mutex_);
    return samples_;
  }

private:
  void loop() {
    while (running_) {
      int64_t at = monotonic_ns();
      if (auto c = read_tunnel_counters(lab_)) {
        std::lock_guard lock(mutex_);
        samples_.push_back({at, std::move(*c)});
      }
      int64_t next = at + interval_.ns();
      while (running_ && monotonic_ns() < next) std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
  }
  const Lab& lab_;
  Duration interval_;
  std::atomic<bool> running_{true};
  std::mutex mutex_;
  std::vector<CounterSample> samples_;
  std::thread thread_;
};

struct ProbePair {
  const HostPlan* from = nullptr;
  const HostPlan* to = nullptr;
  uint16_t port = 0;
  std::string sender_name() const { return "probe-send-" + from->name + "-" + to->name; }
  std::string receiver_name() const { return "probe-receive-" + from->name + "-" + to->name; }
  std::string direction() const { return direction_name(from->site, to->site); }
};

struct StepRecord {
  const config::ScenarioStep* step = nullptr;
  int64_t start_ns = 0;
  int64_t end_ns = 0;
  std::map<std::string, TunnelCounters> counters_at_start;
  std::optional<Convergence> convergence;
};

struct FlowOutages {
  std::string direction;
  std::string name;
  nlohmann::json flow;  // the probe's report of the flow
};

Status sleep_for(Duration d) {
  int64_t until = monotonic_ns() + d.ns();
  while (monotonic_ns() < until) {
    if (interrupted()) return Error{"interrupted"};
    std::this_thread::sleep_for(std::chrono::milliseconds(std::min<int64_t>(20, (until - monotonic_ns()) / 1'000'000 + 1)));
  }
  return Status::success();
}

class ScenarioRunner {
public:
  ScenarioRunner(Lab& lab, const config::Scenario& scenario, const LabRunOptions& options)
      : lab_(lab), scenario_(scenario), options_(options), failures_(lab) {}

  Result<LabScenarioRun> run();

private:
  Status start_probes();
  void stop_probes();
  Status run_step(StepRecord& record);
  Result<nlohmann::json> read_receiver(const ProbePair& pair);
  LabScenarioRun assemble(const std::vector<StepRecord>& steps, int64_t end_ns,
                          const std::map<std::string, TunnelCounters>& final_counters,
                          const std::vector<FlowOutages>& flows, const std::vector<CounterSample>& samples,
                          const nlohmann::json& totals);

  Lab& lab_;
  const config::Scenario& scenario_;
  LabRunOptions options_;
  FailureInjector failures_;
  std::vector<ProbePair> pairs_;
  int64_t start_ns_ = 0;
  Convergence cold_start_;
};

Status ScenarioRunner::start_probes() {
  std::string program = options_.probe_program.empty() ? "/proc/self/exe" : options_.probe_program;
  if (program == "/proc/self/exe") {
    std::error_code ec;
    program = std::filesystem::read_symlink("/proc/self/exe", ec).string();
  }
  const auto& hosts = lab_.plan().hosts;
  for (const HostPlan& from : hosts)
    for (const HostPlan& to : hosts)
      if (from.site != to.site)
        pairs_.push_back({&from, &to, static_cast<uint16_t>(options_.port + pairs_.size())});
  if (pairs_.empty()) return Error{"the topology has no hosts in two different sites to send traffic between"};
  // An hour: the probes are stopped by signal when the scenario ends.
  const std::string duration = "3600";
  for (const ProbePair& p : pairs_) {
    auto r = lab_.start_process("probe", p.to->name, p.receiver_name(), p.to->namespace_name,
                                {program, "probe", "receive", "--listen", p.to->address.to_string(), "--port",
                                 std::to_string(p.port), "--duration", duration, "--json"},
                                lab_.directory() + "/" + p.receiver_name() + ".json");
    if (!r) return Error{r.message()};
  }
  if (auto s = sleep_for(Duration::milliseconds(300)); !s) return s;
  for (const ProbePair& p : pairs_) {
    auto r = lab_.start_process("probe", p.from->name, p.sender_name(), p.from->namespace_name,
                                {program, "probe", "send", "--to", p.to->address.to_string(), "--port",
                                 std::to_string(p.port), "--flows", std::to_string(options_.flows), "--rate",
                                 std::to_string(options_.rate), "--duration", duration});
    if (!r) return Error{r.message()};
  }
  return Status::success();
}

void ScenarioRunner::stop_probes() {
  // Senders first (they send end markers), then the receivers, which write
  // their report when told to stop.
  for (const ProbePair& p : pairs_) lab_.stop_recorded_process("probe", p.sender_name(), false, 3000);
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  for (const ProbePair& p : pairs_) lab_.stop_recorded_process("probe", p.receiver_name(), false, 5000);
}

Result<nlohmann::json> ScenarioRunner::read_receiver(const ProbePair& pair) {
  std::string path = lab_.directory() + "/" + pair.receiver_name() + ".json";
  std::ifstream in(path);
  nlohmann::json report = nlohmann::json::parse(in, nullptr, false);
  if (report.is_discarded() || !report.is_object())
    return Error{"probe receiver " + pair.receiver_name() + " left no report in " + path + " (log: " +
                 lab_.log_file(pair.receiver_name()) + ")"};
  return report;
}

Status ScenarioRunner::run_step(StepRecord& record) {
  using Kind = config::ScenarioStep::Kind;
  const config::ScenarioStep& step = *record.step;
  switch (step.kind) {
    case Kind::wait_converged: {
      ConvergenceOptions expectation = failures_.expectation();
      expectation.limit = step.duration;
      expectation.stable = options_.stable_for;
      auto converged = wait_converged(lab_, expectation);
      if (!converged) return Error{converged.message()};
      record.convergence = *converged;
      return Status::success();
    }
    case Kind::wait_for: return sleep_for(step.duration);
    case Kind::inject: return failures_.inject(*step.failure);
    case Kind::restore: return failures_.restore(*step.failure);
    case Kind::restore_all: return failures_.restore_all();
    case Kind::change: return lab_.change_topology(step.change_file, *step.topology, step.changed_routers);
  }
  return Status::success();
}

Result<LabScenarioRun> ScenarioRunner::run() {
  ConvergenceOptions cold;
  cold.limit = options_.cold_start_limit;
  cold.stable = options_.stable_for;
  auto converged = wait_converged(lab_, cold);
  if (!converged) return Error{"before the scenario: " + converged.message()};
  cold_start_ = *converged;

  Status status = start_probes();
  start_ns_ = monotonic_ns();
  std::vector<StepRecord> steps;
  std::unique_ptr<CounterSampler> sampler;
  if (status) {
    sampler = std::make_unique<CounterSampler>(lab_, options_.sample_interval);
    // Every flow running before the first step.
    status = sleep_for(Duration::seconds(1));
  }
  for (size_t i = 0; status && i < scenario_.steps.size(); ++i) {
    StepRecord record;
    record.step = &scenario_.steps[i];
    record.start_ns = monotonic_ns();
    if (auto c = read_tunnel_counters(lab_)) record.counters_at_start = std::move(*c);
    status = run_step(record);
    if (!status) status = Error{scenario_.source_file + ":" + std::to_string(record.step->line) + ": " +
                                record.step->text + ": " + status.message()};
    record.end_ns = monotonic_ns();
    steps.push_back(std::move(record));
  }
  if (status) status = sleep_for(Duration::seconds(1));  // the last step's effect, measured
  std::map<std::string, TunnelCounters> final_counters;
  if (auto c = read_tunnel_counters(lab_)) final_counters = std::move(*c);
  int64_t end_ns = monotonic_ns();
  Status repaired = failures_.restore_all();
  if (sampler) sampler->stop();
  stop_probes();
  if (!status) return Error{status.message()};
  if (!repaired) return Error{repaired.message()};

  std::vector<FlowOutages> flows;
  nlohmann::json totals = nlohmann::json::array();
  for (const ProbePair& p : pairs_) {
    auto report = read_receiver(p);
    if (!report) return Error{report.message()};
    nlohmann::json t = (*report)["totals"];
    t["direction"] = p.direction();
    t["from"] = p.from->name;
    t["to"] = p.to->name;
    t["socket_drops"] = (*report).value("socket_drops", 0);
    totals.push_back(t);
    for (const nlohmann::json& f : (*report)["flows"])
      flows.push_back({p.direction(), p.direction() + " #" + std::to_string(f.value("flow", 0)), f});
  }
  return assemble(steps, end_ns, final_counters, flows, sampler ? sampler->samples() : std::vector<CounterSample>{},
                  totals);
}

LabScenarioRun ScenarioRunner::assemble(const std::vector<StepRecord>& steps, int64_t end_ns,
                                        const std::map<std::string, TunnelCounters>& final_counters,
                                        const std::vector<FlowOutages>& flows,
                                        const std::vector<CounterSample>& samples, const nlohmann::json& totals) {
  using Kind = config::ScenarioStep::Kind;
  auto at = [&](int64_t ns) { return Time::from_ns(ns - start_ns_); };
  LabScenarioRun run;
  design::Timeline& timeline = run.timeline;
  timeline.title = "lab: " + scenario_.name + " on " + lab_.topology().name;
  timeline.start = Time::zero();
  timeline.end = at(end_ns);
  timeline.unit = design::SeriesUnit::share;

  // Events and phases: a failure, repair or change starts a phase.
  for (size_t i = 0; i < steps.size(); ++i) {
    const StepRecord& s = steps[i];
    timeline.events.push_back({at(s.start_ns), s.step->text, true});
    if (s.convergence)
      timeline.events.push_back({at(s.end_ns), "converged after " + s.convergence->took.to_string(), false});
    Kind kind = s.step->kind;
    if (kind == Kind::wait_for || kind == Kind::wait_converged) continue;
    if (!timeline.phases.empty()) timeline.phases.back().end = at(s.start_ns);
    timeline.phases.push_back({s.step->text, at(s.start_ns), timeline.end});
  }

  // Flows and their outages.
  for (const FlowOutages& f : flows) {
    design::FlowRow row;
    row.name = f.name;
    row.direction = f.direction;
    for (const nlohmann::json& o : f.flow.value("outages", nlohmann::json::array())) {
      design::OutageInterval interval;
      interval.start = at(o.value("start_ns", int64_t{0}));
      if (!o.value("open", false)) interval.end = at(o.value("end_ns", int64_t{0}));
      row.outages.push_back(interval);
    }
    timeline.flows.push_back(std::move(row));
  }

  // Per-tunnel share over time, from the sampler.
  std::map<std::pair<std::string, std::string>, design::TunnelSeries> series;
  for (size_t i = 1; i < samples.size(); ++i)
    for (const TunnelShare& share : tunnel_shares(lab_, samples[i - 1].counters, samples[i].counters)) {
      const TunnelPlan* tunnel = lab_.plan().find_tunnel(share.tunnel);
      std::string direction = direction_name(share.from_site, share.to_site);
      design::TunnelSeries& s = series[{share.tunnel, direction}];
      s.name = share.tunnel + (tunnel ? " (" + tunnel->underlay + ")" : "");
      s.direction = direction;
      s.samples.push_back({at(samples[i - 1].at_ns), share.share});
    }
  for (auto& [key, s] : series) timeline.tunnels.push_back(std::move(s));

  // The JSON report: per step, the outages that started in it and the
  // tunnels' shares while it lasted.
  nlohmann::json step_list = nlohmann::json::array();
  for (size_t i = 0; i < steps.size(); ++i) {
    const StepRecord& s = steps[i];
    int64_t window_end = i + 1 < steps.size() ? steps[i + 1].start_ns : end_ns;
    const auto& counters_end = i + 1 < steps.size() ? steps[i + 1].counters_at_start : final_counters;
    std::map<std::string, nlohmann::json> directions;
    for (const FlowOutages& f : flows) {
      nlohmann::json& d = directions[f.direction];
      if (d.is_null()) d = {{"direction", f.direction}, {"flows", 0}, {"flows_hit", 0}, {"worst_outage_ms", 0.0},
                            {"lost", 0}, {"recovered", true}};
      d["flows"] = d["flows"].get<int>() + 1;
      bool hit = false;
      for (const nlohmann::json& o : f.flow.value("outages", nlohmann::json::array())) {
        int64_t start = o.value("start_ns", int64_t{0});
        if (start < s.start_ns || start >= window_end) continue;
        hit = true;
        int64_t end = o.value("open", false) ? end_ns : o.value("end_ns", int64_t{0});
        d["worst_outage_ms"] = std::max(d["worst_outage_ms"].get<double>(), round3((end - start) / 1e6));
        d["lost"] = d["lost"].get<uint64_t>() + o.value("lost", uint64_t{0});
        if (o.value("open", false)) d["recovered"] = false;
      }
      if (hit) d["flows_hit"] = d["flows_hit"].get<int>() + 1;
    }
    nlohmann::json outage = nlohmann::json::array();
    for (auto& [name, d] : directions) outage.push_back(d);
    nlohmann::json shares = nlohmann::json::array();
    for (const TunnelShare& share : tunnel_shares(lab_, s.counters_at_start, counters_end))
      shares.push_back({{"tunnel", share.tunnel},
                        {"direction", direction_name(share.from_site, share.to_site)},
                        {"packets", share.packets},
                        {"share", round3(share.share)}});
    nlohmann::json j{{"step", s.step->text},
                     {"line", s.step->line},
                     {"start_s", round3((s.start_ns - start_ns_) / 1e9)},
                     {"took_s", round3((s.end_ns - s.start_ns) / 1e9)},
                     {"outage", outage},
                     {"tunnel_share", shares}};
    if (s.convergence) j["converged_after_s"] = round3(s.convergence->took.seconds_f());
    step_list.push_back(j);
  }
  nlohmann::json flow_list = nlohmann::json::array();
  for (const FlowOutages& f : flows) {
    if (f.flow.value("outage_count", 0) == 0) continue;
    nlohmann::json intervals = nlohmann::json::array();
    for (const nlohmann::json& o : f.flow.value("outages", nlohmann::json::array()))
      intervals.push_back({{"start_s", round3((o.value("start_ns", int64_t{0}) - start_ns_) / 1e9)},
                           {"duration_ms", o.value("duration_ms", 0.0)},
                           {"lost", o.value("lost", 0)},
                           {"open", o.value("open", false)}});
    flow_list.push_back({{"flow", f.name},
                         {"lost", f.flow.value("lost", 0)},
                         {"longest_outage_ms", f.flow.value("longest_outage_ms", 0.0)},
                         {"outages", intervals}});
  }
  run.results = {{"lab", lab_.name()},
                 {"topology", lab_.state().topology_file},
                 {"scenario", scenario_.name},
                 {"scenario_file", scenario_.source_file},
                 {"probe", {{"flows_per_direction", options_.flows}, {"packets_per_second_per_flow", options_.rate}}},
                 {"cold_start",
                  {{"sessions_established_s", round3(cold_start_.sessions_up_after.seconds_f())},
                   {"converged_s", round3(cold_start_.took.seconds_f())}}},
                 {"duration_s", round3((end_ns - start_ns_) / 1e9)},
                 {"steps", step_list},
                 {"totals", totals},
                 {"flows_with_outages", flow_list}};
  return run;
}

}  // namespace

Result<LabScenarioRun> run_lab_scenario(Lab& lab, const config::Scenario& scenario, const LabRunOptions& options) {
  ScenarioRunner runner(lab, scenario, options);
  return runner.run();
}

}  // namespace halink::lab
