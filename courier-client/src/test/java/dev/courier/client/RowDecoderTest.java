package dev.courier.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.courier.protocol.ErrorCode;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.math.BigDecimal;
import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;

/**
 * The client's bulk decoding of range chunks. A scaled value is the stored i16 k of a decimal column and its digits d;
 * every value any such column can hold (each of the 65,536 k at each d the server uses, 0 to 9) decodes to exactly
 * the double {@code Double.parseDouble} makes of the decimal's text, computed here by {@link BigDecimal}: so do the
 * values of the bundled set and of gen-data, whose columns are i16 decimals.
 */
class RowDecoderTest {
    @Test
    void everyI16ValueAtEveryDigitCountDecodesToTheDoubleOfItsDecimalText() {
        int values = 1 << 16;
        for (int digits = 0; digits <= 9; digits++) {
            ByteBuf chunk = Unpooled.buffer(1 + values * 2);
            chunk.writeByte(digits);
            for (int k = Short.MIN_VALUE; k <= Short.MAX_VALUE; k++) {
                chunk.writeShort(k);
            }
            double[] decoded = values(RowDecoder.scaled(chunk.nioBuffer(), 1, 0, 1));
            chunk.release();

            assertThat(decoded).hasSize(values);
            for (int i = 0; i < values; i++) {
                String text = BigDecimal.valueOf(Short.MIN_VALUE + i, digits).toPlainString();
                double expected = Double.parseDouble(text);
                if (Double.doubleToRawLongBits(decoded[i]) != Double.doubleToRawLongBits(expected)) {
                    assertThat(decoded[i]).as("%s at %d digits", text, digits).isEqualTo(expected);
                }
            }
        }
    }

    @Test
    void channelsWithDifferentDigitsEachDecodeWithTheirOwn() {
        ByteBuf chunk = Unpooled.buffer();
        chunk.writeByte(3).writeByte(0).writeByte(2); // three channels: mV, a count, percent
        chunk.writeShort(-320).writeShort(7).writeShort(12345);
        chunk.writeShort(5).writeShort(-32768).writeShort(-1);
        double[] decoded = values(RowDecoder.scaled(chunk.nioBuffer(), 3, 0, 1));
        chunk.release();

        assertThat(decoded).containsExactly(-0.32, 7, 123.45, 0.005, -32768, -0.01);
    }

    @Test
    void digitsNoDoubleHoldsExactlyAreABadReply() {
        ByteBuf chunk = Unpooled.buffer().writeByte(23).writeShort(1);
        assertThatThrownBy(() -> RowDecoder.scaled(chunk.nioBuffer(), 1, 0, 1)).isInstanceOf(CourierException.class)
                .extracting(e -> ((CourierException) e).code()).isEqualTo(ErrorCode.BAD_REPLY);
        chunk.release();
    }

    @Test
    void f64RowsAreCopiedAsTheyAreAndPartRowsAreABadReply() {
        ByteBuf chunk = Unpooled.buffer();
        chunk.writeDouble(-0.0).writeDouble(Math.PI).writeDouble(Double.MIN_VALUE).writeDouble(1e300);
        assertThat(values(RowDecoder.f64(chunk.nioBuffer(), 2, 0, 1))).containsExactly(-0.0, Math.PI, Double.MIN_VALUE, 1e300);
        chunk.writeDouble(1);
        assertThatThrownBy(() -> RowDecoder.f64(chunk.nioBuffer(), 2, 0, 1)).isInstanceOf(CourierException.class)
                .hasMessageContaining("not whole rows");
        chunk.release();
    }

    @Test
    void theDecoderReadsFromTheBuffersPositionAndLeavesItWhereItWas() {
        ByteBuf chunk = Unpooled.buffer();
        chunk.writeInt(0xdeadbeef).writeByte(1).writeShort(-5).writeShort(31);
        ByteBuffer rows = chunk.nioBuffer();
        rows.position(Integer.BYTES);
        SampleBlock block = RowDecoder.scaled(rows, 1, 40, 2);
        chunk.release();

        assertThat(values(block)).containsExactly(-0.5, 3.1);
        assertThat(block.sampleIndex(1)).isEqualTo(42);
        assertThat(rows.position()).isEqualTo(Integer.BYTES);
    }

    /** A block's values, row after row, as {@link SampleBlock#value} reads them. */
    private static double[] values(SampleBlock block) {
        double[] values = new double[block.rows() * block.channelCount()];
        for (int row = 0; row < block.rows(); row++) {
            for (int c = 0; c < block.channelCount(); c++) {
                values[row * block.channelCount() + c] = block.value(row, c);
            }
        }
        return values;
    }
}
