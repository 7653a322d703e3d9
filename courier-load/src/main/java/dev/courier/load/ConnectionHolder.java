package dev.courier.load;

import dev.courier.protocol.AppendAck;
import dev.courier.protocol.ChunkReply;
import dev.courier.protocol.DigestReply;
import dev.courier.protocol.EnvelopeReply;
import dev.courier.protocol.ErrorCode;
import dev.courier.protocol.ErrorReply;
import dev.courier.protocol.FrameDescriptor;
import dev.courier.protocol.Hello;
import dev.courier.protocol.ListReply;
import dev.courier.protocol.Ping;
import dev.courier.protocol.PointBatchReply;
import dev.courier.protocol.PointReply;
import dev.courier.protocol.PointRequest;
import dev.courier.protocol.Pong;
import dev.courier.protocol.ProtocolException;
import dev.courier.protocol.RecordsReply;
import dev.courier.protocol.Reply;
import dev.courier.protocol.StatReply;
import dev.courier.protocol.UploadAck;
import dev.courier.protocol.UploadDone;
import dev.courier.protocol.UploadReady;
import dev.courier.transport.FrameDecoder;
import dev.courier.transport.MessageEncoder;
import dev.courier.transport.Transport;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.epoll.EpollChannelOption;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.ScheduledFuture;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

/**
 * Opens many connections to one Courier server address and keeps them open, as a crowd of mostly idle clients
 * would: each connection says HELLO and asks one POINT, whose answer is checked against the data, then stays open
 * and answers the server's keepalive PINGs. While held, a random sample is asked again every few seconds; at the
 * end every connection still open is asked once more. Nothing runs per connection but a small handler: no thread,
 * no timer once established, no buffer while idle.
 *
 * <p>Connection {@code i} asks for key {@code i} (record {@code i mod R}, row {@code (i / R) mod S}) and its
 * re-checks for other keys, so a server that mixed up connections or rows would be caught. Connections spread over
 * the source addresses round-robin, bound before connecting ({@code IP_BIND_ADDRESS_NO_PORT} on epoll, so the port
 * is picked per destination and each address serves about 64,000 connections per server port). A connection
 * refused (TOO_MANY_CONNECTIONS, SHUTTING_DOWN, connect error or timeout) is retried after a short random delay, up
 * to {@link Spec#retries} times. Not reusable: one {@link #run} per instance.
 *
 * <p>Threading: {@link #run} blocks its caller until the end; each connection is confined to one event loop of the
 * holder's own group, and the counters are shared through atomics. This is the engine of {@code courier bench
 * connections} and of {@code bench/c1m.sh}.
 */
public final class ConnectionHolder {
    /** Frames this client accepts: HELLO, POINT replies, PINGs and ERRORs are all small. */
    private static final int MAX_FRAME_BYTES = 64 << 10;
    private static final byte CONNECTING = 0;
    private static final byte ESTABLISHED = 1;
    private static final byte GAVE_UP = 2;

    /**
     * What to run.
     *
     * @param server           where to connect
     * @param target           connections to open and hold, 1 to 1,000,000
     * @param sources          local addresses to spread over, round robin; empty to let the kernel choose
     * @param concurrency      connections being set up at once (connect, handshake, first answer), at least 1
     * @param timeoutMillis    how long a connection may take to give its first answer, and a re-check its answer
     * @param retries          attempts after the first for a connection that was refused or failed to connect
     * @param holdMillis       how long to hold the connections once all are set up (at most)
     * @param sample           connections re-checked per round while holding
     * @param reverifyMillis   time between two re-check rounds
     * @param channel          data channel asked for, numbered from 1
     * @param goFile           when set, wait until this file exists before connecting (to start many processes
     *                         together)
     * @param stopFile         when set, end the hold as soon as this file exists; when it holds a number, that is
     *                         the final check's time budget in milliseconds (see {@link Result#unchecked})
     */
    public record Spec(InetSocketAddress server, int target, List<InetAddress> sources, int concurrency,
                       long timeoutMillis, int retries, long holdMillis, int sample, long reverifyMillis, int channel,
                       Path goFile, Path stopFile) {
        public Spec {
            if (target < 1 || target > 1_000_000) {
                throw new IllegalArgumentException("target must be 1 to 1000000: " + target);
            }
            if (concurrency < 1 || timeoutMillis < 1 || retries < 0 || holdMillis < 0 || sample < 0
                    || reverifyMillis < 1) {
                throw new IllegalArgumentException("concurrency, timeout and re-check interval must be positive; "
                        + "retries, hold and sample at least 0");
            }
            sources = List.copyOf(sources);
        }

        /** The same connections for a warm-up: {@code connections} of them, not held, no go or stop file. */
        public Spec warmUp(int connections) {
            return new Spec(server, connections, sources, concurrency, timeoutMillis, retries, 0, 0, reverifyMillis,
                    channel, null, null);
        }
    }

    /**
     * What happened.
     *
     * @param target           connections asked for ({@link Spec#target})
     * @param established      connections that completed the handshake and answered their first POINT correctly
     * @param held             connections still open at the end of the hold, counted (asked or not)
     * @param verified         held connections whose every answer, the final check included, was correct
     * @param errors           connections not verified at the end (never established, lost while held, or a
     *                         wrong or missing final answer) plus sample re-checks answered wrongly or not at all;
     *                         not those the final check did not reach ({@code unchecked})
     * @param wrong            answers that differed from the data, at any time
     * @param lost             established connections that the server closed while they were held
     * @param refused          refusals received (TOO_MANY_CONNECTIONS or SHUTTING_DOWN), retried ones included
     * @param retries          attempts made after a first one failed
     * @param rechecks         sample re-checks answered correctly while holding (a wrong or missing answer counts as
     *                         an error)
     * @param establishSeconds from the first connect to the last connection established (or given up)
     * @param holdSeconds      how long the connections were held after that
     * @param firstError       what went wrong first, or null
     * @param unchecked        held connections the final check did not ask because its time budget ran out: it
     *                         asks them in an order spread over all connections, so the verified ones are an even
     *                         sample; 0 when it asked them all
     * @param checkSeconds     how long the final check took
     */
    public record Result(int target, long established, long held, long verified, long errors, long wrong, long lost,
                         long refused, long retries, long rechecks, double establishSeconds, double holdSeconds,
                         String firstError, long unchecked, double checkSeconds) {
    }

    private final Spec spec;
    private final PointData data;
    private final Consumer<String> progress;
    private final Channel[] channels;
    private final byte[] state;
    private final CountDownLatch settled;
    /** The next connection not started yet. */
    private final AtomicInteger nextIndex = new AtomicInteger();
    /** A bootstrap per event loop, each used on its loop only (a bootstrap is not thread-safe); filled before use. */
    private final Map<EventExecutor, Bootstrap> bootstraps = new IdentityHashMap<>();
    private final LongAdder established = new LongAdder();
    private final LongAdder refused = new LongAdder();
    private final LongAdder retriesMade = new LongAdder();
    private final LongAdder wrong = new LongAdder();
    private final LongAdder lost = new LongAdder();
    private final LongAdder rechecked = new LongAdder();
    private final LongAdder failedRechecks = new LongAdder();
    private final AtomicReference<String> firstError = new AtomicReference<>();
    private EventLoopGroup group;
    private volatile boolean closing;

    /**
     * A holder for one run of {@code spec}, checking answers against {@code data}.
     *
     * @param progress told one line at a time what is happening (ready, established, ...); called from the thread
     *                 that runs {@link #run}
     * @throws IllegalArgumentException when the first record of {@code data} has no such channel
     */
    public ConnectionHolder(Spec spec, PointData data, Consumer<String> progress) {
        if (spec.channel() < 1 || spec.channel() > data.channels(0)) {
            throw new IllegalArgumentException("record " + data.records().get(0) + " has channels 1 to "
                    + data.channels(0) + ", not " + spec.channel());
        }
        this.spec = spec;
        this.data = data;
        this.progress = progress;
        this.channels = new Channel[spec.target()];
        this.state = new byte[spec.target()];
        this.settled = new CountDownLatch(spec.target());
    }

    /**
     * Connects, holds, checks at the end and closes everything; returns what happened. Blocks until then.
     *
     * @param ioThreads event loop threads; 0 for Netty's default of twice the cores
     */
    public Result run(int ioThreads) throws InterruptedException {
        Transport transport = Transport.best();
        group = transport.newEventLoopGroup(ioThreads, "courier-conns");
        try {
            Bootstrap bootstrap = new Bootstrap()
                    .group(group)
                    .channel(transport.socketChannelClass())
                    .option(ChannelOption.TCP_NODELAY, true)
                    .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) Math.min(Integer.MAX_VALUE,
                            spec.timeoutMillis()));
            if (transport == Transport.EPOLL && !spec.sources().isEmpty()) {
                bootstrap.option(EpollChannelOption.IP_BIND_ADDRESS_NO_PORT, true);
            }
            if (spec.goFile() != null) {
                progress.accept("ready; connecting when " + spec.goFile() + " appears");
                awaitFile(spec.goFile(), Long.MAX_VALUE);
            }
            long start = System.nanoTime();
            connectAll(bootstrap);
            long establishedAt = System.nanoTime();
            double establishSeconds = (establishedAt - start) / 1e9;
            progress.accept(String.format(Locale.ROOT,
                    "established %d of %d in %.3f s (refused %d, retries %d, errors %d); holding up to %.0f s",
                    established.sum(), spec.target(), establishSeconds, refused.sum(), retriesMade.sum(),
                    spec.target() - established.sum(), spec.holdMillis() / 1e3));
            hold(establishedAt);
            long checkStart = System.nanoTime();
            double holdSeconds = (checkStart - establishedAt) / 1e9;
            long held = heldNow();
            long[] fin = finalCheck(checkStart);
            long verified = fin[1];
            long unchecked = held - fin[0];
            long errors = (spec.target() - verified - unchecked) + failedRechecks.sum();
            closing = true;
            return new Result(spec.target(), established.sum(), held, verified, errors, wrong.sum(), lost.sum(),
                    refused.sum(),
                    retriesMade.sum(), rechecked.sum(), establishSeconds, holdSeconds, firstError.get(), unchecked,
                    (System.nanoTime() - checkStart) / 1e9);
        } finally {
            closing = true;
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(30, TimeUnit.SECONDS);
        }
    }

    /**
     * Opens every connection, {@code concurrency} at a time, retrying refused ones; returns when all settled. Each
     * of the {@code concurrency} slots is a chain on one event loop: when its connection is set up (or given up),
     * the slot starts the next one from there, and a retry is scheduled on the same loop. No other thread takes
     * part, so a connection costs its loop no hand-off (a task and a wake-up).
     */
    private void connectAll(Bootstrap bootstrap) throws InterruptedException {
        List<EventExecutor> loops = new ArrayList<>();
        group.forEach(loops::add);
        for (EventExecutor loop : loops) {
            bootstraps.put(loop, bootstrap.clone((EventLoop) loop));
        }
        int slots = Math.min(spec.concurrency(), spec.target());
        for (int l = 0; l < loops.size(); l++) {
            EventExecutor loop = loops.get(l);
            int mine = slots / loops.size() + (l < slots % loops.size() ? 1 : 0);
            loop.execute(() -> {
                for (int k = 0; k < mine; k++) {
                    startNext(loop);
                }
            });
        }
        long timeoutMillis = spec.timeoutMillis() * (spec.retries() + 2L) + spec.target() + 10_000;
        if (!settled.await(timeoutMillis, TimeUnit.MILLISECONDS)) {
            error("connecting did not finish in time; " + settled.getCount() + " connections unsettled");
        }
    }

    /** Starts the next connection not started yet, if any; on {@code loop}. */
    private void startNext(EventExecutor loop) {
        int i = nextIndex.getAndIncrement();
        if (i < spec.target()) {
            connect(loop, i, 0);
        }
    }

    /** Starts connection {@code i}; on {@code loop}, which it is registered on. */
    private void connect(EventExecutor loop, int i, int attempt) {
        Bootstrap bootstrap = bootstraps.get(loop);
        Probe probe = new Probe(i, attempt, loop);
        bootstrap.handler(probe);
        ChannelFuture f;
        if (spec.sources().isEmpty()) {
            f = bootstrap.connect(spec.server());
        } else {
            InetAddress source = spec.sources().get(i % spec.sources().size());
            f = bootstrap.connect(spec.server(), new InetSocketAddress(source, 0));
        }
        f.addListener(done -> {
            if (!done.isSuccess()) {
                probe.failed("connect failed: " + done.cause());
            }
        });
    }

    /** Holds until the hold time is over or the stop file appears, re-checking a random sample each round. */
    private void hold(long since) throws InterruptedException {
        long end = since + TimeUnit.MILLISECONDS.toNanos(spec.holdMillis());
        long nextRound = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(spec.reverifyMillis());
        while (System.nanoTime() - end < 0) {
            if (spec.stopFile() != null && Files.exists(spec.stopFile())) {
                return;
            }
            if (System.nanoTime() - nextRound >= 0) {
                // Distinct connections: a random start, then evenly spaced.
                int[] picks = new int[Math.min(spec.sample(), spec.target())];
                int first = ThreadLocalRandom.current().nextInt(spec.target());
                int step = Math.max(1, spec.target() / Math.max(1, picks.length));
                for (int k = 0; k < picks.length; k++) {
                    picks[k] = (int) ((first + (long) k * step) % spec.target());
                }
                long[] asked = checkRound(picks);
                failedRechecks.add(asked[0] - asked[1]);
                rechecked.add(asked[1]);
                nextRound = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(spec.reverifyMillis());
            }
            Thread.sleep(Math.max(1, Math.min(20, TimeUnit.NANOSECONDS.toMillis(end - System.nanoTime()))));
        }
    }

    /** Established connections open now. */
    private long heldNow() {
        long n = 0;
        for (int i = 0; i < channels.length; i++) {
            if (channels[i] != null && channels[i].isActive() && state[i] == ESTABLISHED) {
                n++;
            }
        }
        return n;
    }

    /**
     * The final check's budget: what the stop file says, when it holds a number of milliseconds (the caller who
     * knows how long it has, as bench/c1m.sh does), else unbounded. Read again as the check goes on, so that the
     * caller can cut it short (a 0 ends it at once).
     */
    private long finalCheckBudgetMillis() {
        if (spec.stopFile() != null) {
            try {
                String text = Files.readString(spec.stopFile()).strip();
                if (!text.isEmpty() && text.chars().allMatch(Character::isDigit) && text.length() < 12) {
                    return Long.parseLong(text);
                }
            } catch (IOException e) {
                // No file, or unreadable: no budget.
            }
        }
        return Long.MAX_VALUE / 2_000_000;
    }

    /**
     * Asks every connection still open once more, until {@code deadlineNanos}: in an order that strides over all
     * connections (a prime step that does not divide their number, so every one comes once), so that a check cut
     * short has asked an even sample rather than the first ones opened. Returns {asked, answered correctly}.
     */
    private long[] finalCheck(long startNanos) throws InterruptedException {
        int n = spec.target();
        long step = n % 7919 != 0 ? 7919 : 7907;
        int[] all = new int[n];
        for (int k = 0; k < n; k++) {
            all[k] = (int) (k * step % n);
        }
        return checkRound(all, () -> System.nanoTime() - startNanos
                >= TimeUnit.MILLISECONDS.toNanos(finalCheckBudgetMillis()));
    }

    private long[] checkRound(int[] picks) throws InterruptedException {
        return checkRound(picks, () -> false);
    }

    /**
     * Asks the open, established connections among {@code picks} for a new key, at most {@code concurrency} at a
     * time (a million questions at once would queue for longer than any timeout); returns {asked, correct}. A
     * question not answered within the timeout counts as asked and not correct.
     */
    /** @param outOfTime asked every 1024 questions: true ends the round there */
    private long[] checkRound(int[] picks, BooleanSupplier outOfTime) throws InterruptedException {
        Semaphore inFlight = new Semaphore(spec.concurrency());
        LongAdder correct = new LongAdder();
        long asked = 0;
        for (int i : picks) {
            Channel ch = channels[i];
            if (ch == null || !ch.isActive() || state[i] != ESTABLISHED) {
                continue;
            }
            if ((asked & 1023) == 0 && outOfTime.getAsBoolean()) {
                break; // out of time: what was asked is the sample, the rest is counted unchecked
            }
            if (!inFlight.tryAcquire(spec.timeoutMillis(), TimeUnit.MILLISECONDS)) {
                error("re-checks stalled: " + spec.concurrency() + " got no answer within " + spec.timeoutMillis()
                        + " ms");
                return new long[] {asked, correct.sum()};
            }
            asked++;
            long key = i + (long) spec.target() * ThreadLocalRandom.current().nextInt(1, 1 << 16);
            Probe p = ch.pipeline().get(Probe.class);
            ch.eventLoop().execute(() -> p.recheck(key, ok -> {
                if (ok) {
                    correct.increment();
                }
                inFlight.release();
            }));
        }
        if (!inFlight.tryAcquire(spec.concurrency(), spec.timeoutMillis(), TimeUnit.MILLISECONDS)) {
            error((spec.concurrency() - inFlight.availablePermits()) + " re-checks got no answer within "
                    + spec.timeoutMillis() + " ms");
        }
        return new long[] {asked, correct.sum()};
    }

    private void error(String what) {
        firstError.compareAndSet(null, what);
    }

    /** Waits until {@code file} exists, polling; returns at once when it is null. */
    private static void awaitFile(Path file, long timeoutNanos) throws InterruptedException {
        if (file == null) {
            return;
        }
        long start = System.nanoTime();
        while (!Files.exists(file) && System.nanoTime() - start < timeoutNanos) {
            Thread.sleep(2);
        }
    }

    /**
     * One connection: sends HELLO and a POINT at once, checks the answer, answers PINGs, and asks again when told.
     * Confined to its channel's event loop.
     */
    private final class Probe extends ChannelInboundHandlerAdapter {
        private final int index;
        private final int attempt;
        /** The loop this connection is set up on, also before its channel exists (a retry goes there too). */
        private final EventExecutor loop;
        private int nextRequestId = 1;
        private int expectedId;
        private int expectedRecord;
        private int expectedSample;
        private boolean settledHere;
        private Channel channel;
        private ScheduledFuture<?> deadline;
        private Consumer<Boolean> recheckDone;

        Probe(int index, int attempt, EventExecutor loop) {
            this.index = index;
            this.attempt = attempt;
            this.loop = loop;
        }

        @Override
        public void handlerAdded(ChannelHandlerContext ctx) {
            channel = ctx.channel();
            ctx.pipeline().addBefore(ctx.name(), "frames", FrameDecoder.replies(MAX_FRAME_BYTES));
            ctx.pipeline().addBefore(ctx.name(), "encoder", MessageEncoder.INSTANCE);
        }

        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            deadline = ctx.executor().schedule(() -> failed("no answer within " + spec.timeoutMillis() + " ms"),
                    spec.timeoutMillis(), TimeUnit.MILLISECONDS);
            ctx.write(new Hello(0, FrameDescriptor.VERSION, MAX_FRAME_BYTES, 1024), ctx.voidPromise());
            ask(ctx, index);
            ctx.flush();
        }

        private void ask(ChannelHandlerContext ctx, long key) {
            int records = data.recordCount();
            expectedRecord = (int) (key % records);
            expectedSample = (int) ((key / records) % data.samplesPerRecord());
            expectedId = nextRequestId++;
            ctx.write(new PointRequest(expectedId, data.records().get(expectedRecord),
                    data.timeSeconds(expectedRecord, expectedSample), spec.channel()), ctx.voidPromise());
        }

        void recheck(long key, Consumer<Boolean> done) {
            if (recheckDone != null || !channel.isActive()) {
                done.accept(false);
                return;
            }
            recheckDone = done;
            ChannelHandlerContext ctx = channel.pipeline().context(this);
            ask(ctx, key);
            ctx.flush();
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (msg instanceof ProtocolException e) {
                problem(ctx, "bad reply: " + e.getMessage());
                return;
            }
            Reply m = (Reply) msg; // what the frame decoder reads: replies only
            switch (m) {
                case Hello h -> {
                    // The handshake; the POINT's answer follows.
                }
                case Ping p -> ctx.writeAndFlush(new Pong(p.requestId(), p.token()), ctx.voidPromise());
                case PointReply r -> answered(ctx, r);
                case ErrorReply e -> {
                    if (e.code() == ErrorCode.TOO_MANY_CONNECTIONS || e.code() == ErrorCode.SHUTTING_DOWN) {
                        refused.increment();
                    }
                    problem(ctx, e.code() + ": " + e.message());
                }
                case Pong _, PointBatchReply _, ListReply _, StatReply _, ChunkReply _, DigestReply _, UploadReady _,
                     UploadAck _, UploadDone _, RecordsReply _, EnvelopeReply _, AppendAck _ -> {
                    m.release();
                    problem(ctx, "unexpected " + m.getClass().getSimpleName());
                }
            }
        }

        private void answered(ChannelHandlerContext ctx, PointReply r) {
            double expected = data.value(expectedRecord, spec.channel(), expectedSample);
            boolean ok = r.requestId() == expectedId && r.sampleIndex() == expectedSample && r.value() == expected;
            if (!ok) {
                wrong.increment();
                error("record " + data.records().get(expectedRecord) + " sample " + expectedSample + ": expected "
                        + expected + " at index " + expectedSample + " (request " + expectedId + "), got " + r.value()
                        + " at index " + r.sampleIndex() + " (request " + r.requestId() + ")");
            }
            if (!settledHere) {
                if (ok) {
                    settledHere = true;
                    deadline.cancel(false);
                    deadline = null;
                    channels[index] = ctx.channel();
                    state[index] = ESTABLISHED;
                    established.increment();
                    settled.countDown();
                    startNext(loop);
                } else {
                    giveUp(ctx.channel());
                }
            } else if (recheckDone != null) {
                Consumer<Boolean> done = recheckDone;
                recheckDone = null;
                done.accept(ok);
            }
        }

        /** A refusal or bad reply: before establishment it is retried; after, the connection counts as lost. */
        private void problem(ChannelHandlerContext ctx, String what) {
            if (!settledHere) {
                failed(what);
            } else {
                error(what);
            }
            ctx.close();
        }

        /** Setting up failed: retry after a short random delay while retries last, else give up on this one. */
        void failed(String what) {
            if (settledHere) {
                return;
            }
            settledHere = true;
            if (deadline != null) {
                deadline.cancel(false);
            }
            Channel ch = channel;
            if (attempt < spec.retries() && !closing) {
                retriesMade.increment();
                long delayMillis = ThreadLocalRandom.current().nextLong(10, 50L << Math.min(attempt, 5));
                loop.schedule(() -> connect(loop, index, attempt + 1), delayMillis, TimeUnit.MILLISECONDS);
            } else {
                error("connection " + index + ": " + what);
                state[index] = GAVE_UP;
                settled.countDown();
                startNext(loop);
            }
            if (ch != null) {
                ch.close();
            }
        }

        private void giveUp(Channel ch) {
            settledHere = true;
            if (deadline != null) {
                deadline.cancel(false);
            }
            state[index] = GAVE_UP;
            settled.countDown();
            startNext(loop);
            ch.close();
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            if (!settledHere) {
                failed("the server closed the connection during setup");
            } else if (state[index] == ESTABLISHED && !closing) {
                lost.increment();
                error("connection " + index + " was closed by the server while held");
            }
            if (recheckDone != null) {
                Consumer<Boolean> done = recheckDone;
                recheckDone = null;
                done.accept(false);
            }
            ctx.fireChannelInactive();
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            problem(ctx, cause.toString());
        }
    }
}
