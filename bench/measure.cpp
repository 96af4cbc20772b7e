// bench/run's stopwatch: `measure RESULT_FILE PROGRAM ARGS...` runs PROGRAM (stdout and stderr
// inherited), waits for it with wait4, and writes one line to RESULT_FILE:
//
//   EXIT_CODE WALL_SECONDS USER_SECONDS SYSTEM_SECONDS MAX_RSS_KB
//
// (EXIT_CODE is -N when signal N killed it). Why not os.wait4 straight from Python: Linux keeps a
// process's peak RSS across execve, and a child forked (or vforked) from the Python interpreter
// starts with the interpreter's memory, so its ru_maxrss can never read lower than Python's own peak
// (tens or hundreds of MB). Forked from this small program instead, the peak is the tool's own.
//
// Build: g++ -std=c++20 -O2 bench/measure.cpp -o measure   (bench/run does this)
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr, "usage: %s RESULT_FILE PROGRAM [ARGS...]\n", argv[0]);
    return 125;
  }
  timespec start{};
  clock_gettime(CLOCK_MONOTONIC, &start);
  pid_t pid = fork();
  if (pid < 0) {
    std::perror("measure: fork");
    return 125;
  }
  if (pid == 0) {
    execvp(argv[2], argv + 2);
    std::fprintf(stderr, "measure: cannot run %s: %s\n", argv[2], std::strerror(errno));
    _exit(127);
  }
  int status = 0;
  rusage usage{};
  while (wait4(pid, &status, 0, &usage) < 0) {
    if (errno != EINTR) {
      std::perror("measure: wait4");
      return 125;
    }
  }
  timespec end{};
  clock_gettime(CLOCK_MONOTONIC, &end);

  double wall =
      static_cast<double>(end.tv_sec - start.tv_sec) + static_cast<double>(end.tv_nsec - start.tv_nsec) / 1e9;
  auto seconds = [](timeval t) {
    return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_usec) / 1e6;
  };
  int code = WIFEXITED(status) ? WEXITSTATUS(status) : -WTERMSIG(status);

  std::FILE* out = std::fopen(argv[1], "w");
  if (out == nullptr) {
    std::perror("measure: result file");
    return 125;
  }
  std::fprintf(out, "%d %.6f %.6f %.6f %ld\n", code, wall, seconds(usage.ru_utime), seconds(usage.ru_stime),
               usage.ru_maxrss);
  std::fclose(out);
  return 0;
}
