package dev.ferry.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The tables the command line prints, from the admin API's JSON. */
class TableTest {
    private static JsonNode json(String text) throws Exception {
        return AdminClient.JSON.readTree(text);
    }

    @Test
    void columnsAreAlignedTwoSpacesApartWithoutTrailingBlanks() {
        String table = Table.of("ID", "STATUS", "NOTE").row("inv_1", "running", "").row("inv_22222", "paused", "x")
                .render();
        assertThat(table).isEqualTo("""
                ID         STATUS   NOTE
                inv_1      running  -
                inv_22222  paused   x
                """);
    }

    @Test
    void aCellIsOneLineAndWideCharactersCountOnce() {
        assertThat(Table.of("A", "B").row("fails\nwith\ttabs", "ü").row("é", "z").render()).isEqualTo("""
                A                B
                fails with tabs  ü
                é                z
                """);
    }

    @Test
    void aRowMustFillTheHeader() {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> Table.of("A", "B").row("1"))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void jsonValuesBecomeReadableCells() throws Exception {
        assertThat(Table.text(json("{\"code\":500,\"message\":\"transient failure #1\"}")))
                .isEqualTo("500 transient failure #1");
        assertThat(Table.text(json("[{\"name\":\"greet\",\"ty\":\"Shared\"},{\"name\":\"slow\"}]")))
                .isEqualTo("greet, slow");
        assertThat(Table.text(json("{\"max_attempts\":5}"))).isEqualTo("{\"max_attempts\":5}");
        assertThat(Table.text(json("null"))).isEqualTo("-");
        assertThat(Table.text(null)).isEqualTo("-");
        assertThat(Table.text(json("true"))).isEqualTo("true");
        assertThat(Table.cut("abcdef", 4)).isEqualTo("abc…");
        assertThat(Table.cut("abc", 4)).isEqualTo("abc");
    }

    @Test
    void anInvocationsPageIsATableOfOneRowEach() throws Exception {
        JsonNode page = json("""
                {"invocations":[
                  {"id":"inv_1a","target":"Greeter/flaky","service":"Greeter","handler":"flaky","status":"backing-off",
                   "attempts":1,"last_failure":{"code":500,"message":"transient failure #1 for id=a"},
                   "created_at":"2026-12-02T06:00:00.123Z","created_at_millis":1},
                  {"id":"inv_2b","target":"Counter/add","service":"Counter","handler":"add","key":"my-counter",
                   "status":"completed","attempts":1,"created_at":"2026-12-02T06:00:01Z",
                   "completion_result":"failure","completion_failure":{"code":409,"message":"killed"}}],
                 "next_before":"c"}""");
        assertThat(InvocationsCommand.table(page).render()).isEqualTo("""
                ID      TARGET         KEY         STATUS               ATTEMPTS  CREATED                   LAST FAILURE
                inv_1a  Greeter/flaky  -           backing-off          1         2026-12-02T06:00:00.123Z  500 transient failure #1 for id=a
                inv_2b  Counter/add    my-counter  completed (failure)  1         2026-12-02T06:00:01Z      409 killed
                """);
        assertThat(InvocationsCommand.table(json("{\"invocations\":[]}")).render())
                .isEqualTo("ID  TARGET  KEY  STATUS  ATTEMPTS  CREATED  LAST FAILURE\n");
    }

    @Test
    void oneResourceIsItsFieldsThenTheListItHolds() throws Exception {
        JsonNode service = json("""
                {"name":"Greeter","ty":"Service","handlers":[
                  {"name":"greet","ty":null,"public":true,"input_description":"JSON object","output_description":"JSON"}],
                 "deployment_id":"dp_1","retry_policy":{"max_attempts":5}}""");
        assertThat(ServicesCommand.details(service).render()).isEqualTo("""
                name           Greeter
                ty             Service
                deployment_id  dp_1
                retry_policy   {"max_attempts":5}

                HANDLER  TYPE  INPUT        OUTPUT  PUBLIC
                greet    -     JSON object  JSON    true
                """);
        assertThat(Table.fieldsOf(json("{\"id\":\"inv_1\",\"created_at_millis\":5}"), Set.of("created_at_millis"))
                .render()).isEqualTo("id  inv_1\n");
    }

    @Test
    void subscriptionsShowTheirOptions() throws Exception {
        JsonNode list = json("""
                {"subscriptions":[{"id":"sub_1","source":"kafka://default/orders","sink":"service://Ledger/append",
                  "options":{"auto.offset.reset":"earliest","result_topic":"r"}}]}""");
        assertThat(SubscriptionsCommand.table(list).render()).isEqualTo("""
                ID     SOURCE                  SINK                     OPTIONS
                sub_1  kafka://default/orders  service://Ledger/append  auto.offset.reset=earliest,result_topic=r
                """);
    }

    @Test
    void anAdminErrorSaysWhatTheAdminApiSaid() {
        assertThat(AdminClient.failure("http://a:1", "", "GET", "/invocations/inv_1",
                new AdminClient.Answer(404,
                        "{\"message\":\"The invocation 'inv_1' was not found.\",\"restate_code\":null}")))
                .isEqualTo("GET /invocations/inv_1 answered 404: The invocation 'inv_1' was not found.");
        assertThat(AdminClient.failure("http://a:1", "", "POST", "/deployments",
                new AdminClient.Answer(422, "Failed to deserialize the JSON body\n")))
                .isEqualTo("POST /deployments answered 422: Failed to deserialize the JSON body");
        assertThat(AdminClient.failure("http://a:1", "", "GET", "/services", new AdminClient.Answer(401, "{}")))
                .isEqualTo("the admin API at http://a:1 needs a token (401): set FERRY_ADMIN_TOKEN or pass --token");
        assertThat(AdminClient.failure("http://a:1", "t", "GET", "/services", new AdminClient.Answer(401, "{}")))
                .isEqualTo("the admin API at http://a:1 refused the token (401): check FERRY_ADMIN_TOKEN or --token");
    }
}
