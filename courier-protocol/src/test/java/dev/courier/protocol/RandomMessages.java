package dev.courier.protocol;

import io.netty.buffer.Unpooled;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Random;

/** Random but valid messages of every type, reproducible from the {@link Random} they are given. */
final class RandomMessages {
    /** How many message types {@link #of} knows. */
    static final int KINDS = 33;

    private static final double[] SPECIAL_DOUBLES = {
            0.0, -0.0, Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, Double.MIN_VALUE,
            -Double.MIN_VALUE, Double.MAX_VALUE, Double.MIN_NORMAL};

    private final Random random;

    RandomMessages(Random random) {
        this.random = random;
    }

    /** A message of kind {@code kind}, 0 to {@link #KINDS} - 1. */
    Message of(int kind) {
        int id = random.nextInt();
        return switch (kind) {
            case 0 -> {
                Hello h = new Hello(id, random.nextInt(1 << 16), 6 + random.nextInt(Integer.MAX_VALUE - 5),
                        1 + random.nextInt(Integer.MAX_VALUE));
                yield random.nextBoolean() ? h : h.withToken(new Secret("t" + text(200)));
            }
            case 1 -> new Ping(id, random.nextLong());
            case 2 -> new Pong(id, random.nextLong());
            case 3 -> {
                ErrorCode code = ErrorCode.values()[random.nextInt(ErrorCode.values().length)];
                yield new ErrorReply(id, code, text(300),
                        code == ErrorCode.RATE_LIMITED ? random.nextLong(ErrorReply.MAX_RETRY_AFTER_MILLIS + 1) : 0);
            }
            case 4 -> new PointRequest(id, text(63), anyDouble(), u16());
            case 5 -> new PointReply(id, anyDouble(), random.nextInt(), anyDouble());
            case 6 -> new PointBatchRequest(id, text(63), u16(), doubles(random.nextInt(50)));
            case 7 -> {
                int n = random.nextInt(50);
                int[] indexes = new int[n];
                for (int i = 0; i < n; i++) {
                    indexes[i] = random.nextInt();
                }
                yield new PointBatchReply(id, indexes, doubles(n), doubles(n));
            }
            case 8 -> new ListRequest(id, text(300));
            case 9 -> {
                int n = random.nextInt(12);
                List<FileEntry> entries = new ArrayList<>(n);
                for (int i = 0; i < n; i++) {
                    entries.add(new FileEntry(text(100), random.nextBoolean(), random.nextLong(), random.nextLong()));
                }
                yield new ListReply(id, entries);
            }
            case 10 -> new StatRequest(id, text(300));
            case 11 -> new StatReply(id, random.nextLong(), random.nextLong());
            case 12 -> new ReadRequest(id, text(300), random.nextLong(), random.nextInt(), random.nextBoolean());
            case 13 -> {
                byte[] data = new byte[random.nextInt(100)];
                random.nextBytes(data);
                yield new ChunkReply(id, random.nextLong(), random.nextBoolean(), random.nextBoolean(),
                        random.nextBoolean(), random.nextInt(), Unpooled.wrappedBuffer(data));
            }
            case 14 -> new DigestRequest(id, text(300), random.nextBoolean());
            case 15 -> new DigestReply(id, random.nextLong(), random.nextLong(), sha256());
            case 16 -> new UploadBegin(id, text(300), random.nextLong() >>> 1, sha256());
            case 17 -> {
                int n = random.nextInt(12);
                List<ByteRange> ranges = new ArrayList<>(n);
                for (int i = 0; i < n; i++) {
                    ranges.add(new ByteRange(random.nextLong() >>> 1, random.nextLong() >>> 1));
                }
                yield new UploadReady(id, random.nextLong(), random.nextInt(), ranges);
            }
            case 18 -> {
                byte[] data = new byte[random.nextInt(100)];
                random.nextBytes(data);
                yield new UploadWrite(id, random.nextLong(), random.nextLong(), random.nextInt(),
                        Unpooled.wrappedBuffer(data));
            }
            case 19 -> new UploadAck(id, random.nextLong(), random.nextInt());
            case 20 -> new UploadCommit(id, random.nextLong(),
                    random.nextBoolean() ? Optional.of(sha256()) : Optional.empty());
            case 21 -> new UploadDone(id, random.nextLong(), sha256());
            case 22 -> new StreamRequest(id, text(300), random.nextLong() >>> 1, random.nextLong() >>> 1,
                    random.nextInt() >>> 1, random.nextInt(), random.nextLong() >>> 1, random.nextLong(),
                    random.nextBoolean());
            case 23 -> new WindowUpdate(id, 1 + random.nextInt(Integer.MAX_VALUE));
            case 24 -> new CancelStream(id);
            case 25 -> new RecordsRequest(id, random.nextInt() >>> 1);
            case 26 -> {
                int n = random.nextInt(4);
                List<RecordEntry> entries = new ArrayList<>(n);
                for (int i = 0; i < n; i++) {
                    List<RecordEntry.ChannelEntry> channels = new ArrayList<>();
                    for (int c = random.nextInt(4); c > 0; c--) {
                        channels.add(new RecordEntry.ChannelEntry(text(40), text(10), text(60)));
                    }
                    entries.add(new RecordEntry(text(63), anyDouble(), random.nextInt(), anyDouble(),
                            random.nextBoolean() ? OptionalLong.of(random.nextLong()) : OptionalLong.empty(),
                            random.nextBoolean() ? Optional.of(text(60)) : Optional.empty(), channels));
                }
                yield new RecordsReply(id, random.nextInt() >>> 1, entries);
            }
            case 27 -> new RangeRequest(id, text(63), random.nextLong() >>> 1, random.nextLong() >>> 1,
                    random.nextInt(), random.nextInt() >>> 1, random.nextInt(), channels());
            case 28 -> new EnvelopeRequest(id, text(63), random.nextLong() >>> 1, random.nextLong() >>> 1,
                    random.nextInt(), channels());
            case 29 -> {
                int buckets = random.nextInt(20);
                int channels = random.nextInt(4);
                yield new EnvelopeReply(id, buckets, channels,
                        doubles(buckets * channels * EnvelopeReply.VALUES_PER_BUCKET));
            }
            case 30 -> {
                int channels = 1 + random.nextInt(4);
                int rows = random.nextInt(6);
                yield new AppendRequest(id, text(63), anyDouble(), channels, doubles(rows),
                        doubles(rows * channels));
            }
            case 31 -> new AppendAck(id, random.nextLong() >>> 1, random.nextInt() >>> 1);
            case 32 -> new SubscribeRequest(id, text(63), random.nextLong() >>> 1, random.nextInt() >>> 1,
                    random.nextInt(), channels());
            default -> throw new IllegalArgumentException("no message kind " + kind);
        };
    }

    /** 1 to 8 channel numbers, any u16. */
    private int[] channels() {
        int[] channels = new int[1 + random.nextInt(8)];
        for (int i = 0; i < channels.length; i++) {
            channels[i] = u16();
        }
        return channels;
    }

    private Sha256 sha256() {
        byte[] b = new byte[FrameDescriptor.SHA256_BYTES];
        random.nextBytes(b);
        return new Sha256(b);
    }

    private int u16() {
        return random.nextInt(1 << 16);
    }

    private double anyDouble() {
        return switch (random.nextInt(3)) {
            case 0 -> SPECIAL_DOUBLES[random.nextInt(SPECIAL_DOUBLES.length)];
            case 1 -> Double.longBitsToDouble(random.nextLong());
            default -> random.nextDouble() * 1000;
        };
    }

    private double[] doubles(int n) {
        double[] d = new double[n];
        for (int i = 0; i < n; i++) {
            d[i] = anyDouble();
        }
        return d;
    }

    /**
     * Up to {@code maxCodePoints} code points, mostly ASCII (the decoder's fast path) with some of two, three and
     * four UTF-8 bytes; never a lone surrogate. At most 4 bytes per code point, so 63 fit in a str8.
     */
    private String text(int maxCodePoints) {
        int n = random.nextInt(maxCodePoints + 1);
        boolean asciiOnly = random.nextBoolean();
        StringBuilder s = new StringBuilder();
        for (int i = 0; i < n; i++) {
            int kind = asciiOnly ? 0 : random.nextInt(4);
            int cp = switch (kind) {
                case 0 -> random.nextInt(0x80);
                case 1 -> 0x80 + random.nextInt(0x800 - 0x80);
                case 2 -> {
                    int c = 0x800 + random.nextInt(0x10000 - 0x800 - 0x800);
                    yield c >= 0xD800 ? c + 0x800 : c; // skip the surrogates D800..DFFF
                }
                default -> 0x10000 + random.nextInt(0x110000 - 0x10000);
            };
            s.appendCodePoint(cp);
        }
        return s.toString();
    }
}
