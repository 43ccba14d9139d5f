/**
 * What a caption track is for. SUBTITLES: the dialogue translated or transcribed, for viewers who
 * hear the audio; CAPTIONS: also sounds and speakers, for the deaf and hard of hearing (SDH).
 * HLS marks CAPTIONS with Apple's accessibility characteristics, DASH with Role "caption".
 */
export enum CaptionKind {
  SUBTITLES = 'SUBTITLES',
  CAPTIONS = 'CAPTIONS',
}
