import AgentCore
import DataEngine
import Foundation
import Interfaces
import Testing

@Suite("Dataset verdicts, builder and chat templates")
struct DatasetPiecesTests {
    @Test("verdicts: minor findings are notes, larger shares send the data back")
    func verdicts() {
        let clean = DatasetVerdict.judge(
            DatasetCheck(sampleCount: 40, findings: [DatasetFinding(kind: .duplicate, count: 2, rows: [5, 6])]))
        #expect(clean.kind == .approve)
        #expect(clean.notes == ["2 duplicate or near-duplicate rows (5.0%)"])
        #expect(clean.reasons == ["40 rows, 38 usable"])

        let long = DatasetVerdict.judge(
            DatasetCheck(sampleCount: 40, findings: [DatasetFinding(kind: .tooLong, count: 4)]))
        #expect(long.kind == .backToConstruction)
        #expect(long.reasons.first?.contains("raise cutoff_len") == true)
        let fewLong = DatasetVerdict.judge(
            DatasetCheck(sampleCount: 40, findings: [DatasetFinding(kind: .tooLong, count: 1)]))
        #expect(fewLong.kind == .approve)
        #expect(fewLong.notes == ["1 rows longer than the cutoff (2.5%) will be truncated"])

        let small = DatasetVerdict.judge(
            DatasetCheck(sampleCount: 20, findings: [DatasetFinding(kind: .schema, count: 6, rows: [0])]))
        #expect(small.kind == .backToSelection)
        #expect(small.reasons == ["only 14 usable rows (need at least 16): add sources"])
    }

    @Test("sharegpt rows come from chat-style message lists or from prompt and answer fields")
    func sharegpt() throws {
        let row: JSONValue = [
            "chat": [["role": "user", "content": "Hi"], ["role": "assistant", "content": "Hello"]],
            "q": "2+2?", "a": 4, "meta": ["sys": "Be brief."],
        ]
        let fromMessages = try DatasetBuilder(format: .sharegpt, mapping: FieldMapping(messages: "chat"))
            .mappedRow(row)
        #expect(
            fromMessages["conversations"]
                == [["from": "human", "value": "Hi"], ["from": "gpt", "value": "Hello"]])
        let fromFields = try DatasetBuilder(
            format: .sharegpt, mapping: FieldMapping(instruction: "q", output: "#### {a}", system: "meta.sys")
        ).mappedRow(row)
        #expect(fromFields["system"] == "Be brief.")
        #expect(fromFields["conversations"]?.arrayValue?.last == ["from": "gpt", "value": "#### 4"])
        let badRole: JSONValue = ["chat": [["role": "narrator", "content": "x"]]]
        #expect(throws: DatasetBuildError.self) {
            try DatasetBuilder(format: .sharegpt, mapping: FieldMapping(messages: "chat")).mappedRow(badRole)
        }
        #expect(DatasetFormat.sharegpt.datasetInfoEntry(fileName: "a.json")["columns"]?["messages"] == "conversations")
    }

    @Test("chat templates render the turn markers of each family")
    func templates() {
        let turns = [
            ChatTurn(role: "system", content: "Be brief."), ChatTurn(role: "user", content: "2+2?"),
            ChatTurn(role: "assistant", content: "4"),
        ]
        #expect(ChatTemplate(templateName: "qwen3") == .chatml)
        #expect(ChatTemplate(templateName: "llama3") == .llama3)
        #expect(ChatTemplate(templateName: "gemma3") == .gemma)
        #expect(ChatTemplate(templateName: "mistral") == nil)
        #expect(
            ChatTemplate.llama3.render(Array(turns.prefix(2)), addGenerationPrompt: true)
                == "<|begin_of_text|><|start_header_id|>system<|end_header_id|>\n\nBe brief.<|eot_id|>"
                + "<|start_header_id|>user<|end_header_id|>\n\n2+2?<|eot_id|>"
                + "<|start_header_id|>assistant<|end_header_id|>\n\n")
        #expect(
            ChatTemplate.gemma.render(turns, addGenerationPrompt: false)
                == "<bos><start_of_turn>user\nBe brief.\n\n2+2?<end_of_turn>\n<start_of_turn>model\n4<end_of_turn>\n")
        #expect(
            ChatTemplate.chatml.render(turns, addGenerationPrompt: false)
                == "<|im_start|>system\nBe brief.<|im_end|>\n<|im_start|>user\n2+2?<|im_end|>\n"
                + "<|im_start|>assistant\n4<|im_end|>\n")
    }
}
