#!/usr/bin/env bash
# Builds and runs samples/trace-my-program (a user's program tracing itself through the TaskTrace library, as a
# separate package depends on it), then checks what its trace says with sqlite3, as a user would query it.
set -euo pipefail
cd "$(dirname "$0")/.."
out="${1:-test-output}"
mkdir -p "$out"
trace="$(realpath -m "$out")/my-program.sqlite"
# A package that depends on this one by path keeps its list of our source files in its build description; after
# files were added here an old list fails the build ("cannot find … in scope"). Dropping it is cheap and forces a rescan.
rm -f samples/trace-my-program/.build/*/*/description.json
swift build --package-path samples/trace-my-program -q
"$(swift build --package-path samples/trace-my-program --show-bin-path)/TraceMyProgram" "$trace" >/dev/null

expect() {  # expect DESCRIPTION SQL WANTED
    got=$(sqlite3 -readonly "$trace" "$2")
    if [ "$got" != "$3" ]; then
        echo "sample program: $1: expected '$3', got '$got'" >&2
        exit 1
    fi
}
expect "spawned downloads, all done" \
    "select count(*) from tasks t where t.name like 'download %' and t.kind = 'spawned'
     and (select state from transitions where task_id = t.id order by ts_ns desc, seq desc limit 1) = 'done'" 4
expect "the blocking call ran on a blocking thread" \
    "select count(*) from transitions x join threads th on th.id = x.thread_id
     join tasks t on t.id = x.task_id where t.kind = 'blocking' and th.kind = 'blocking' and x.state = 'running'" 1
expect "four group children with the root as parent" \
    "select count(*) from tasks c join tasks p on p.id = c.parent_id where c.kind = 'group_child' and p.kind = 'root'" 4
expect "the timed-out task ended cancelled" \
    "select state from transitions x join tasks t on t.id = x.task_id where t.name = 'too slow'
     order by ts_ns desc, seq desc limit 1" cancelled
expect "the recording ended cleanly" "select count(*) from meta where key = 'ended_unix_ns'" 1
echo "sample program: trace checks passed ($trace)"
