using System.Buffers;
using System.Text;

namespace DataOpen.Core.Ingest;

internal sealed partial class FieldGuardStream
{
    private IngestException InvalidEncoding(string what) => new(
        IngestProblem.InvalidEncoding,
        encodingCheck == EncodingCheck.Utf8
            ? $"{what}: it is not valid UTF-8 (the encoding detected from its beginning). Declare source.encoding (gbk or gb18030) in dataset.json or re-save the file as UTF-8."
            : $"{what}: it is not valid GBK/GB18030. Declare source.encoding in dataset.json or re-save the file as UTF-8.",
        Record);

    /// <summary>
    /// Index in <paramref name="chunk"/> of the first byte that cannot be part of a valid character, or -1.
    /// A character cut by the end of the chunk is kept in <see cref="carry"/> and completed from the next chunk.
    /// </summary>
    private int FindInvalidBytes(ReadOnlySpan<byte> chunk)
    {
        int offset = 0;
        if (carryLength > 0)
        {
            // Complete the character cut at the end of the previous chunk.
            while (carryLength < carry.Length && offset < chunk.Length)
            {
                carry[carryLength++] = chunk[offset++];
                var status = CheckCharacter(carry.AsSpan(0, carryLength), out int length);
                if (status == OperationStatus.Done)
                {
                    offset -= carryLength - length;
                    carryLength = 0;
                    break;
                }

                if (status == OperationStatus.InvalidData)
                {
                    return 0;
                }
            }

            if (carryLength > 0)
            {
                return carryLength == carry.Length ? 0 : -1;
            }
        }

        var rest = chunk[offset..];
        int bad = FirstInvalid(rest, out int tail);
        if (bad >= 0)
        {
            return offset + bad;
        }

        rest[^tail..].CopyTo(carry);
        carryLength = tail;
        return -1;
    }

    /// <summary>
    /// Index of the first invalid byte or -1; <paramref name="tail"/> is the length of a character cut off
    /// by the end of <paramref name="bytes"/>.
    /// </summary>
    private int FirstInvalid(ReadOnlySpan<byte> bytes, out int tail)
    {
        tail = 0;
        if (encodingCheck == EncodingCheck.Utf8)
        {
            // UTF-8 is self-synchronising: the cut character can be found from the end, and the rest checked vectorised.
            tail = IncompleteUtf8Tail(bytes);
            bytes = bytes[..^tail];
            if (System.Text.Unicode.Utf8.IsValid(bytes))
            {
                return -1;
            }
        }

        int i = 0;
        while (i < bytes.Length)
        {
            int nonAscii = bytes[i..].IndexOfAnyExceptInRange((byte)0, (byte)0x7F);
            if (nonAscii < 0)
            {
                return -1;
            }

            i += nonAscii;
            var status = CheckCharacter(bytes[i..], out int length);
            if (status == OperationStatus.NeedMoreData && encodingCheck == EncodingCheck.Gb)
            {
                // GB encodings are not self-synchronising: only a forward scan finds where the last character starts.
                tail = bytes.Length - i;
                return -1;
            }

            if (status != OperationStatus.Done)
            {
                return i;
            }

            i += length;
        }

        return -1;
    }

    private static int IncompleteUtf8Tail(ReadOnlySpan<byte> bytes)
    {
        for (int back = 1; back <= Math.Min(3, bytes.Length); back++)
        {
            byte b = bytes[^back];
            if ((b & 0xC0) != 0x80)
            {
                // A lead (or ASCII) byte: the character is cut when it needs more bytes than remain.
                int needed = b < 0x80 ? 1 : (b & 0xE0) == 0xC0 ? 2 : (b & 0xF0) == 0xE0 ? 3 : (b & 0xF8) == 0xF0 ? 4 : 1;
                return needed > back ? back : 0;
            }
        }

        return 0;
    }

    /// <summary>Checks the one character at the start of <paramref name="bytes"/>.</summary>
    private OperationStatus CheckCharacter(ReadOnlySpan<byte> bytes, out int length)
    {
        if (encodingCheck == EncodingCheck.Utf8)
        {
            return Rune.DecodeFromUtf8(bytes, out _, out length);
        }

        length = 0;
        byte b = bytes[0];
        if (b < 0x80)
        {
            length = 1;
            return OperationStatus.Done;
        }

        if (b is < 0x81 or > 0xFE)
        {
            return OperationStatus.InvalidData;
        }

        if (bytes.Length < 2)
        {
            return OperationStatus.NeedMoreData;
        }

        byte second = bytes[1];
        if (second is >= 0x40 and <= 0xFE && second != 0x7F)
        {
            length = 2;
            return OperationStatus.Done;
        }

        if (second is < 0x30 or > 0x39)
        {
            return OperationStatus.InvalidData;
        }

        if (bytes.Length < 3)
        {
            return OperationStatus.NeedMoreData;
        }

        if (bytes[2] is < 0x81 or > 0xFE)
        {
            return OperationStatus.InvalidData;
        }

        if (bytes.Length < 4)
        {
            return OperationStatus.NeedMoreData;
        }

        if (bytes[3] is < 0x30 or > 0x39)
        {
            return OperationStatus.InvalidData;
        }

        length = 4;
        return OperationStatus.Done;
    }
}
