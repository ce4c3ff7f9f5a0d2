#pragma once

#include <chrono>
#include <string>
#include <vector>

namespace relc {

/// `relc heart [--] COMMAND...`: runs COMMAND (a node) as a child and
/// restarts it when it dies or stops beating. The node beats on the pipe
/// whose fd heart passes in RELC_HEART_FD: 'B' every beat, 'R' once started,
/// 'S' before a clean stop (which disarms heart: it then exits 0), 'X'
/// before a reboot.
/// Environment: HEART_BEAT_TIMEOUT (s, default 60), HEART_COMMAND (run by
/// /bin/sh -c instead of COMMAND on restart), HEART_MAX_RESTARTS (default 5)
/// within HEART_RESTART_PERIOD (s, default 60): past that heart gives up and
/// exits 1; HEART_BOOT_TIMEOUT (s, 0 = off): a node that does not report
/// started in time is treated as hung.
int run_heart(const std::vector<std::string>& command);

/// In a node: takes the pipe to heart from RELC_HEART_FD if set. Returns
/// false when not under heart. Beats are the node's to send
/// (heart_client_beat), after a liveness round trip.
bool heart_client_start();

/// How often a node under heart beats: HEART_BEAT_TIMEOUT/4, at most 1 s.
std::chrono::milliseconds heart_beat_interval();

/// In a node: one beat ('B').
void heart_client_beat();

/// In a node: true when heart watches it (RELC_HEART_FD was set).
bool heart_client_active();

/// In a node: reports 'R' (started).
void heart_client_started();

/// In a node: reports 'X' (reboot: heart starts the node again once it has
/// exited, without counting it as a failure) and stops beating.
void heart_client_reboot();

/// In a node: reports 'S' (clean stop) and stops beating.
void heart_client_stop();

/// Before an exec into another runtime (runtime_exec.hpp): the beat pipe
/// stays open and RELC_HEART_FD names it again, so the new program's
/// heart_client_start finds it.
void heart_client_keep_across_exec();

} // namespace relc
