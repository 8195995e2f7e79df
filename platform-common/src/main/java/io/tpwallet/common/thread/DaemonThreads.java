package io.tpwallet.common.thread;

import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Makes the daemon threads of a service's own pools (relays, batchers, schedulers): a daemon so
 * that a pool nobody shut down does not keep the JVM alive, and named after its pool with a number,
 * so that a thread dump or a profile says whose thread it is.
 */
public final class DaemonThreads implements ThreadFactory {

  private final String name;
  private final AtomicInteger made = new AtomicInteger();

  private DaemonThreads(String name) {
    this.name = name;
  }

  /** A factory whose threads are called {@code name-1}, {@code name-2}, ... */
  public static ThreadFactory named(String name) {
    if (name.isBlank()) {
      throw new IllegalArgumentException("a thread pool needs a name");
    }
    return new DaemonThreads(name);
  }

  /** One daemon thread called {@code name}, not started. */
  public static Thread thread(String name, Runnable task) {
    Thread t = new Thread(task, name);
    t.setDaemon(true);
    return t;
  }

  @Override
  public Thread newThread(Runnable task) {
    return thread(name + "-" + made.incrementAndGet(), task);
  }
}
