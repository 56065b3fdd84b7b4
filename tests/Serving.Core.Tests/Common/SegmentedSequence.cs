using System.Buffers;

namespace Serving.Core.Tests.Common;

/// <summary>Builds a <see cref="ReadOnlySequence{T}"/> of many small segments, as Kestrel's PipeReader hands over a body that arrived in pieces.</summary>
internal static class SegmentedSequence
{
    public static ReadOnlySequence<byte> Create(ReadOnlySpan<byte> bytes, int segmentSize)
    {
        if (bytes.Length == 0)
        {
            return ReadOnlySequence<byte>.Empty;
        }
        Segment? first = null;
        Segment? last = null;
        for (var offset = 0; offset < bytes.Length; offset += segmentSize)
        {
            // Each segment gets its own array so that no code can read past a segment by accident.
            var chunk = bytes.Slice(offset, Math.Min(segmentSize, bytes.Length - offset)).ToArray();
            var segment = new Segment(chunk, offset);
            if (first is null)
            {
                first = segment;
            }
            else
            {
                last!.SetNext(segment);
            }
            last = segment;
        }
        return new ReadOnlySequence<byte>(first!, 0, last!, last!.Memory.Length);
    }

    private sealed class Segment : ReadOnlySequenceSegment<byte>
    {
        public Segment(byte[] data, long runningIndex)
        {
            Memory = data;
            RunningIndex = runningIndex;
        }

        public void SetNext(Segment next) => Next = next;
    }
}
