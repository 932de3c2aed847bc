/*
 * The machine's floor for the bus benchmark: the same hand-off the bus does (stamp, publish a
 * sequence number in shared memory, sem_post a named semaphore; the reader wakes and reads the
 * stamp), between two C processes, and a plain memcpy of frames.
 *
 *   bus_floor latency --count N --interval-us U [--spin-us S] [--writer-cpu C --reader-cpu C]
 *   bus_floor memcpy --size BYTES --frames N [--buffers K]
 *
 * Prints one JSON object. Build: gcc -O2 -o bus_floor bus_floor.c -lpthread
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <sched.h>
#include <semaphore.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

struct shared {
    _Alignas(64) _Atomic int64_t sequence;
    _Alignas(64) int64_t stamp_ns;
};

static int64_t now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static long arg_long(int argc, char **argv, const char *name, long fallback) {
    for (int i = 1; i + 1 < argc; i++) {
        if (strcmp(argv[i], name) == 0) {
            return atol(argv[i + 1]);
        }
    }
    return fallback;
}

static int compare_i64(const void *a, const void *b) {
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

static double percentile_us(int64_t *sorted, long n, double p) {
    long index = (long)(p * (double)(n - 1) + 0.5);
    return (double)sorted[index] / 1000.0;
}

/* -1 leaves the process where the scheduler puts it. */
static void pin_to_cpu(long cpu) {
    if (cpu < 0) {
        return;
    }
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET((int)cpu, &set);
    if (sched_setaffinity(0, sizeof set, &set) != 0) {
        perror("sched_setaffinity");
    }
}

static int latency(long count, long interval_us, long spin_us, long writer_cpu, long reader_cpu) {
    char shm_name[64], sem_name[64];
    snprintf(shm_name, sizeof shm_name, "/virta-floor-%d", getpid());
    snprintf(sem_name, sizeof sem_name, "/virta-floor-sem-%d", getpid());
    int fd = shm_open(shm_name, O_CREAT | O_EXCL | O_RDWR, 0600);
    if (fd < 0 || ftruncate(fd, sizeof(struct shared)) != 0) {
        perror("shm_open");
        return 1;
    }
    struct shared *s = mmap(NULL, sizeof(struct shared), PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    sem_t *sem = sem_open(sem_name, O_CREAT | O_EXCL, 0600, 0);
    if (s == MAP_FAILED || sem == SEM_FAILED) {
        perror("mmap/sem_open");
        return 1;
    }
    shm_unlink(shm_name);
    sem_unlink(sem_name);
    const long warmup = 50;
    pid_t child = fork();
    if (child == 0) {
        pin_to_cpu(reader_cpu);
        const int64_t total = count + warmup;
        int64_t *samples = malloc(sizeof(int64_t) * (size_t)total);
        int64_t last = 0;
        long n = 0;
        while (last < total) {
            int64_t spin_until = now_ns() + spin_us * 1000;
            while (atomic_load_explicit(&s->sequence, memory_order_acquire) == last) {
                if (spin_us > 0 && now_ns() < spin_until) {
                    continue;
                }
                while (sem_trywait(sem) == 0) {
                }
                if (atomic_load_explicit(&s->sequence, memory_order_acquire) != last) {
                    break;
                }
                sem_wait(sem);
            }
            int64_t woke = now_ns();
            last = atomic_load_explicit(&s->sequence, memory_order_acquire);
            if (last > warmup) {
                samples[n++] = woke - s->stamp_ns;
            }
        }
        count = n;
        qsort(samples, (size_t)count, sizeof(int64_t), compare_i64);
        printf("{\"reader\":\"c\",\"n\":%ld,\"p50_us\":%.2f,\"p99_us\":%.2f,\"p999_us\":%.2f,\"max_us\":%.2f}\n",
               count, percentile_us(samples, count, 0.50), percentile_us(samples, count, 0.99),
               percentile_us(samples, count, 0.999), (double)samples[count - 1] / 1000.0);
        fflush(stdout);
        _exit(0);
    }
    pin_to_cpu(writer_cpu);
    usleep(100000);
    int64_t next = now_ns();
    for (long i = 1; i <= count + warmup; i++) {
        next += interval_us * 1000;
        while (now_ns() < next) {
            int64_t left = next - now_ns();
            if (left > 100000) {
                struct timespec ts = {0, left - 60000};
                nanosleep(&ts, NULL);
            }
        }
        s->stamp_ns = now_ns();
        atomic_store_explicit(&s->sequence, i, memory_order_release);
        sem_post(sem);
    }
    int status = 0;
    waitpid(child, &status, 0);
    return WIFEXITED(status) ? WEXITSTATUS(status) : 1;
}

static int copy_frames(long size, long frames, long buffers) {
    char **sources = malloc(sizeof(char *) * (size_t)buffers);
    char **targets = malloc(sizeof(char *) * (size_t)buffers);
    for (long b = 0; b < buffers; b++) {
        sources[b] = aligned_alloc(4096, (size_t)size);
        targets[b] = aligned_alloc(4096, (size_t)size);
        memset(sources[b], (int)b, (size_t)size);
        memset(targets[b], 0, (size_t)size);
    }
    for (long i = 0; i < buffers; i++) {
        memcpy(targets[i % buffers], sources[i % buffers], (size_t)size);
    }
    int64_t start = now_ns();
    for (long i = 0; i < frames; i++) {
        memcpy(targets[i % buffers], sources[(i * 7 + 3) % buffers], (size_t)size);
    }
    double seconds = (double)(now_ns() - start) / 1e9;
    printf("{\"copier\":\"c\",\"size\":%ld,\"frames\":%ld,\"fps\":%.1f,\"gbps\":%.2f}\n", size, frames,
           (double)frames / seconds, (double)frames * (double)size / seconds / 1e9);
    return 0;
}

int main(int argc, char **argv) {
    if (argc < 2) {
        fprintf(stderr, "usage: bus_floor latency --count N --interval-us U [--spin-us S] [--writer-cpu C --reader-cpu C]\n"
                        "       bus_floor memcpy --size BYTES --frames N [--buffers K]\n");
        return 2;
    }
    if (strcmp(argv[1], "latency") == 0) {
        return latency(arg_long(argc, argv, "--count", 2000), arg_long(argc, argv, "--interval-us", 1000),
                       arg_long(argc, argv, "--spin-us", 0),
                       arg_long(argc, argv, "--writer-cpu", -1), arg_long(argc, argv, "--reader-cpu", -1));
    }
    if (strcmp(argv[1], "memcpy") == 0) {
        return copy_frames(arg_long(argc, argv, "--size", 1920 * 1080 * 3), arg_long(argc, argv, "--frames", 300),
                           arg_long(argc, argv, "--buffers", 8));
    }
    fprintf(stderr, "bus_floor: unknown mode '%s'\n", argv[1]);
    return 2;
}
